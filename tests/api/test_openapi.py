"""The OpenAPI document, the docs page, and schemathesis over every operation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from tourplanner.testing.keys import auth

SHARED = Path(__file__).resolve().parents[3] / "shared" / "contracts"
PACKAGED = Path(__file__).resolve().parents[2] / "tourplanner" / "api" / "contracts"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_openapi_document_lists_every_operation(client):
    """The document is generated from the views, needs no key, and names each error status."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {
        "/api/v1/plans",
        "/api/v1/jobs/{job_id}",
        "/api/v1/itineraries/{itinerary_id}",
        "/api/v1/itineraries/{itinerary_id}/quote",
        "/api/v1/itineraries/{itinerary_id}/quote.xlsx",
        "/api/v1/batches",
        "/api/v1/batches/{batch_id}",
        "/api/v1/batches/{batch_id}/items",
        "/api/v1/batches/{batch_id}/summary.csv",
        "/api/v1/batches/{batch_id}/prices.xlsx",
        "/api/v1/batches/{batch_id}/replan",
        "/api/v1/places",
        "/api/v1/places/{place_id}",
        "/api/v1/places/{place_id}/audit",
        "/api/v1/provinces",
    }
    plans = spec["paths"]["/api/v1/plans"]["post"]["responses"]
    assert {"201", "202", "400", "401", "413", "422", "429"} <= set(plans)
    batches = spec["paths"]["/api/v1/batches"]["post"]
    assert {"200", "202", "400", "401", "409", "413", "429"} <= set(batches["responses"])
    assert {"application/json", "text/csv"} <= set(batches["requestBody"]["content"])
    patch = spec["paths"]["/api/v1/places/{place_id}"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "429"} <= set(patch)


def test_docs_page_uses_no_inline_script_or_cdn(client):
    """The docs page loads its script from /static and nothing from another host."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<script src="/static/js/api_docs.js" defer></script>' in html
    assert "<script>" not in html and "https://" not in html
    with client.get("/static/js/api_docs.js") as script:
        assert script.status_code == 200


def _extends(shared: object, packaged: object, where: str) -> list[str]:
    """Where *packaged* removes or changes something of *shared* (it may add properties)."""
    if isinstance(shared, dict) and isinstance(packaged, dict):
        problems = []
        for key, value in shared.items():
            if key not in packaged:
                problems.append(f"{where}.{key} removed")
            elif key == "enum":
                missing = [v for v in value if v not in packaged[key]]
                if missing:
                    problems.append(f"{where}.enum lost {missing}")
            elif key == "required":
                if set(packaged[key]) - set(value):
                    problems.append(f"{where}.required adds {set(packaged[key]) - set(value)}")
            else:
                problems += _extends(value, packaged[key], f"{where}.{key}")
        return problems
    return [] if shared == packaged else [f"{where} changed"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/contracts is not beside the repository")
@pytest.mark.parametrize("name", ["tour_request", "itinerary"])
def test_packaged_contracts_extend_shared(name):
    """The contract copies shipped in the package extend shared/contracts: every property,
    enum value and description of the shared one is there unchanged, nothing more is required
    (fields may be added; none removed or renamed)."""
    shared = json.loads((SHARED / f"{name}.schema.json").read_text(encoding="utf-8"))
    packaged = json.loads((PACKAGED / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert _extends(shared, packaged, name) == []


#: what the contract and the schema must agree on, property by property, in both directions
KEYWORDS = (
    "format",
    "pattern",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "description",
)
#: request fields the parser reads beyond the contract (re-plan pins, agency quotas)
BEYOND_CONTRACT = {"pins", "quotas"}


def _disagreements(contract: dict, generated: dict, where: str) -> list[str]:
    """Where the property *generated* (from the marshmallow schema) differs from *contract*."""
    problems = [
        f"{where}.{key}: contract {contract.get(key)!r}, schema {generated.get(key)!r}"
        for key in KEYWORDS
        if contract.get(key) != generated.get(key)
    ]
    if "type" in contract and contract["type"] != generated.get("type"):
        problems.append(
            f"{where}.type: contract {contract['type']!r}, schema {generated.get('type')!r}"
        )
    if "items" in contract or "items" in generated:
        problems += _disagreements(
            contract.get("items", {}), generated.get("items", {}), f"{where}.items"
        )
    return problems


def test_openapi_tour_request_is_the_parser_schema_and_matches_the_contract(client):
    """The request body of POST /plans is generated from TourRequestSchema (the schema the
    parser loads through) and agrees with the packaged contract: the same properties (plus
    the undocumented pins and quotas), the same required fields, and per property the same
    type, enum, default, pattern, format, description and bounds, both ways, so neither can
    drift from the other."""
    spec = client.get("/api/v1/openapi.json").get_json()
    body = spec["paths"]["/api/v1/plans"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/TourRequest"
    generated = spec["components"]["schemas"]["TourRequest"]
    contract = json.loads((PACKAGED / "tour_request.schema.json").read_text(encoding="utf-8"))

    assert set(generated["properties"]) - set(contract["properties"]) == BEYOND_CONTRACT
    assert set(contract["properties"]) <= set(generated["properties"])
    assert sorted(generated["required"]) == sorted(contract["required"])
    assert contract["additionalProperties"] is True
    assert generated.get("additionalProperties", True) is True  # unknown fields are ignored
    problems = [
        problem
        for name, prop in contract["properties"].items()
        for problem in _disagreements(prop, generated["properties"][name], name)
    ]
    assert problems == []


def _field_names(schema) -> set[str]:
    return {field.data_key or name for name, field in schema().fields.items()}


def test_openapi_place_is_the_record_schema(client, keys):
    """Issue 19: the Place and PlaceIn components are generated from PlaceRecordSchema, the
    schema ``parse_place`` loads every file row and API body through: the same properties
    (plus version), the same required fields, the same nested objects, and every key of a
    place the API returns is documented."""
    from tourplanner.catalogue.records import FestivalSchema
    from tourplanner.catalogue.records import OpeningRuleSchema
    from tourplanner.catalogue.records import PlaceRecordSchema
    from tourplanner.catalogue.records import ProductSchema

    spec = client.get("/api/v1/openapi.json").get_json()
    components = spec["components"]["schemas"]
    record = _field_names(PlaceRecordSchema)
    required = {f.data_key or n for n, f in PlaceRecordSchema().fields.items() if f.required}
    for name in ("Place", "PlaceIn"):
        assert set(components[name]["properties"]) == record | {"version"}, name
    assert set(components["Place"]["required"]) == required | {"version"}
    assert set(components["PlaceIn"]["required"]) == required
    for component, schema in (
        ("OpeningRule", OpeningRuleSchema),
        ("Festival", FestivalSchema),
        ("Product", ProductSchema),
    ):
        assert set(components[component]["properties"]) == _field_names(schema), component
    assert components["Place"]["properties"]["opening_hours"]["items"] == {
        "$ref": "#/components/schemas/OpeningRule"
    }
    place = client.get("/api/v1/places/con-son", headers=auth(keys.editor)).get_json()
    assert set(place) <= set(components["Place"]["properties"])
    body = spec["paths"]["/api/v1/places"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/PlaceIn"}


def test_contract_comparison_sees_a_drift():
    """The comparison above fails on a changed bound, enum or default, or a lost item bound
    (a guard that it can fail at all)."""
    prop = {"type": "array", "maxItems": 50, "items": {"type": "string", "maxLength": 200}}
    assert _disagreements(prop, prop, "x") == []
    assert _disagreements(prop, {**prop, "maxItems": 60}, "x") == [
        "x.maxItems: contract 50, schema 60"
    ]
    assert _disagreements(prop, {**prop, "items": {"type": "string"}}, "x") == [
        "x.items.maxLength: contract 200, schema None"
    ]
    assert _disagreements({"enum": ["a", "b"]}, {"enum": ["a"], "type": "string"}, "y") == [
        "y.enum: contract ['a', 'b'], schema ['a']"
    ]


def test_schemathesis_finds_no_server_error_and_no_spec_violation(app, keys):
    """Generated requests to every operation (20 examples each, editor key) never get a 500,
    and every answer conforms to the document: status, content type, headers, body."""
    app.config["API_RATE_LIMIT"] = 100_000
    app.config["API_SYNC_MAX_UNITS"] = 0  # a valid plan becomes a job: no long solve here
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = auth(keys.editor)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 19

    for operation in operations:

        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        check()
