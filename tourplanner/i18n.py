"""Two languages, Vietnamese (default) and English, through Babel's message catalogues.

Every user-facing text is a message of ``tourplanner/translations/<lang>/LC_MESSAGES/
messages.po`` (msgids are short keys such as ``it.day``; both catalogues translate every key).
Pages use Flask-Babel: the language comes from ``?lang=``, then a posted form's ``language``,
then the ``lang`` cookie, then the browser's Accept-Language, and templates call ``_("key")``.
Everything outside a request (CLI, PDF, iCalendar, planner warnings, jobs) asks for
:func:`translator` with an explicit language. Numbers, money and dates are written the
locale's way by Babel (``1.200.000 ₫`` and ``Thứ Bảy, 06/03/2027`` in Vietnamese).

Catalogue names come in both languages from the data itself (``name_vi``/``name_en``):
:func:`name` picks one.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel import support
from flask import g
from flask import request
from flask_babel import Babel
from werkzeug.exceptions import RequestEntityTooLarge

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
#: the time zone dates and times are shown in (the tours are in northern Vietnam)
LOCAL_TIMEZONE = "Asia/Ho_Chi_Minh"
TRANSLATIONS = Path(__file__).parent / "translations"
#: date patterns (CLDR) with and without the weekday, and the short form of a day in a list
DATE_PATTERNS = {
    "vi": {"weekday": "EEEE, dd/MM/yyyy", "plain": "dd/MM/yyyy", "short": "dd/MM"},
    "en": {"weekday": "EEE d MMM yyyy", "plain": "d MMM yyyy", "short": "d MMM"},
}
#: date and time of day (CLDR), for moments such as when a batch was made
DATETIME_PATTERNS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def N_(msgid: str) -> str:  # noqa: N802 (the gettext convention pybabel extracts)
    """Mark *msgid* for extraction where it is translated later (a key built at run time)."""
    return msgid


def language_of(lang: str | None) -> str:
    """Return *lang* when it is a supported language, else the default (Vietnamese)."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> support.Translations:
    """The compiled catalogue of *lang* (``messages.mo``)."""
    return support.Translations.load(str(TRANSLATIONS), [language_of(lang)], domain="messages")


class Translator:
    """Texts, numbers, money and dates in one language (outside a request: CLI, exports).

    ``t = translator("en"); t("it.day")`` → ``"Day"``; ``t("svc.every", first="06:00",
    last="18:00", minutes=30)`` fills the message's ``%(name)s`` parameters.
    """

    def __init__(self, lang: str) -> None:
        self.lang = language_of(lang)
        self._translations = translations(self.lang)

    def __call__(self, msgid: str, **params: Any) -> str:
        """Return the message *msgid* in this language, with *params* filled in."""
        message = self._translations.gettext(msgid)
        return message % params if params else message

    gettext = __call__

    def money(self, vnd: int) -> str:
        """*vnd* in the locale's currency format."""
        return format_money(vnd, self.lang)

    def number(self, value: float, digits: int = 0) -> str:
        """*value* with the locale's separators and *digits* decimals."""
        return format_number(value, self.lang, digits)

    def date(self, day: dt.date | str, weekday: bool = True) -> str:
        """*day* in the locale's format, with its weekday unless told otherwise."""
        return format_date(day, self.lang, weekday=weekday)

    def name(self, thing: Any) -> str:
        """The ``name_vi``/``name_en`` of *thing* (object or dict) in this language."""
        return name(thing, self.lang)


@lru_cache(maxsize=len(LANGUAGES))
def translator(lang: str | None) -> Translator:
    """Return the :class:`Translator` of *lang* (the default language if unsupported)."""
    return Translator(language_of(lang))


def format_money(vnd: int, lang: str, signed: bool = False) -> str:
    """Integer VND the locale's way: ``1.200.000 ₫`` (vi), ``₫1,200,000`` (en); *signed*
    puts ``+`` before amounts from zero up (a difference: ``+50.000 ₫``, ``-50.000 ₫``)."""
    if signed:
        return ("+" if vnd >= 0 else "-") + format_money(abs(vnd), lang)
    return babel_numbers.format_currency(vnd, "VND", locale=language_of(lang))


def format_number(value: float, lang: str, digits: int = 0, signed: bool = False) -> str:
    """*value* with the locale's grouping and decimal separators and *digits* decimals;
    *signed* puts ``+`` before values from zero up (a difference: ``+1,5``)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if signed:
        pattern = f"+{pattern};-{pattern}"
    return babel_numbers.format_decimal(value, format=pattern, locale=language_of(lang))


def format_date(day: dt.date | str, lang: str, weekday: bool = True, short: bool = False) -> str:
    """*day* (a date or an ISO string): ``Thứ Bảy, 06/03/2027`` (vi), ``Sat 6 Mar 2027`` (en);
    without the weekday ``06/03/2027``/``6 Mar 2027``; *short* ``06/03``/``6 Mar``."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    patterns = DATE_PATTERNS[language_of(lang)]
    key = "short" if short else "weekday" if weekday else "plain"
    return babel_dates.format_date(day, patterns[key], locale=language_of(lang))


def format_datetime(moment: dt.datetime | str, lang: str) -> str:
    """*moment* (a datetime or an ISO string; naive ones are UTC) in local time (Hà Nội):
    ``06/03/2027 14:05`` (vi), ``6 Mar 2027, 14:05`` (en)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return babel_dates.format_datetime(
        moment,
        DATETIME_PATTERNS[language_of(lang)],
        tzinfo=babel_dates.get_timezone(LOCAL_TIMEZONE),
        locale=language_of(lang),
    )


def name(thing: Any, lang: str) -> str:
    """The ``name_en`` of *thing* in English, else its ``name_vi`` (objects or dicts)."""
    if isinstance(thing, dict):
        return thing.get("name_en" if lang == "en" else "name_vi") or thing.get("name_vi", "")
    return getattr(thing, "name_en" if lang == "en" else "name_vi") or thing.name_vi


#: keys built at run time (``"cat." + category``, ``f"mode.{mode}"``) or used inside
#: f-strings, which pybabel does not read: listed here so that extraction keeps them
RUNTIME_KEYS = (
    N_("access.boat"),
    N_("access.cable_car"),
    N_("access.ferry"),
    N_("access.hike"),
    N_("access.permit"),
    N_("cat.adventure"),
    N_("cat.bay"),
    N_("cat.beach"),
    N_("cat.cave"),
    N_("cat.cuisine"),
    N_("cat.family"),
    N_("cat.festival"),
    N_("cat.heritage"),
    N_("cat.island"),
    N_("cat.landmark"),
    N_("cat.museum"),
    N_("cat.nature"),
    N_("cat.shopping"),
    N_("cat.spiritual"),
    N_("cat.village"),
    N_("cli.dropped"),
    N_("cli.total"),
    N_("form.add"),
    N_("it.day_minimum"),
    N_("it.fare_pp"),
    N_("it.fare_unknown"),
    N_("it.includes"),
    N_("it.ticket_unknown"),
    N_("lodging.cruise"),
    N_("lodging.hotel"),
    N_("lodging.room"),
    N_("meal.breakfast"),
    N_("meal.brunch"),
    N_("mode.air"),
    N_("mode.boat"),
    N_("mode.bridge"),
    N_("mode.cable_car"),
    N_("mode.coach"),
    N_("mode.expressway"),
    N_("mode.ferry"),
    N_("mode.rail"),
    N_("mode.road"),
    N_("mode.taxi"),
    N_("mode.walk"),
    N_("pace.normal"),
    N_("pace.packed"),
    N_("pace.relaxed"),
    N_("service.boat"),
    N_("service.bus"),
    N_("service.cable_car"),
    N_("service.coach"),
    N_("service.combo"),
    N_("service.ferry"),
    N_("service.hired_vehicle"),
    N_("service.limousine"),
    N_("service.motorbike_taxi"),
    N_("service.taxi"),
    N_("service.walk"),
    N_("tier.budget"),
    N_("tier.comfort"),
    N_("tier.luxury"),
    N_("tier.standard"),
    N_("tier.typical"),
    N_("transport.auto"),
    N_("transport.private"),
    N_("transport.public"),
)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_KEYS = (
    N_("weekday.mon"),
    N_("weekday.tue"),
    N_("weekday.wed"),
    N_("weekday.thu"),
    N_("weekday.fri"),
    N_("weekday.sat"),
    N_("weekday.sun"),
)


def weekdays_text(days, lang: str) -> str:
    """Weekday codes in words, runs joined: ``Monday–Friday, Sunday``; all seven: every day."""
    t = translator(lang)
    chosen = [d for d in WEEKDAYS if d in set(days)]
    if len(chosen) == 7:
        return t("weekday.all")
    runs: list[list[str]] = []
    for d in chosen:
        if runs and WEEKDAYS.index(d) == WEEKDAYS.index(runs[-1][-1]) + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for run in runs:
        first = t(WEEKDAY_KEYS[WEEKDAYS.index(run[0])])
        last = t(WEEKDAY_KEYS[WEEKDAYS.index(run[-1])])
        if len(run) == 1:
            parts.append(first)
        elif len(run) == 2:
            parts.append(f"{first}, {last}")
        else:
            parts.append(f"{first}–{last}")
    return ", ".join(parts)


def _form_language() -> str | None:
    """The ``language`` field of a posted form; None when the body is over the size limit
    (the 413 page asks for the language too and must not read that body again)."""
    try:
        return request.form.get("language")
    except RequestEntityTooLarge:
        return None


def get_locale() -> str:
    """Return the language of the current request ("vi" or "en"); Flask-Babel's selector."""
    if "lang" in g:
        return g.lang
    lang = request.args.get("lang") or _form_language() or request.cookies.get("lang")
    if lang not in LANGUAGES:
        lang = request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
    g.lang = lang
    return lang


#: the language of a JSON API's messages when the request asks for none (API clients are
#: programs, and their logs and tests read English)
API_DEFAULT_LANGUAGE = "en"


def api_language() -> str:
    """The language of a JSON API's messages (error reasons): ``?lang=``, then the best match
    of Accept-Language among vi and en, else English. Pages keep :func:`get_locale`."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        return lang
    return request.accept_languages.best_match(LANGUAGES) or API_DEFAULT_LANGUAGE


def language_url(lang: str) -> str:
    """The current page in *lang*: its query string with ``lang`` set, the rest kept (the
    variants page keeps its request when the language changes)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return "?" + urlencode([*args, ("lang", lang)])


def init_app(app) -> None:
    """Set up Flask-Babel on the catalogues, expose the locale helpers to templates and
    remember an explicit ?lang= in a cookie."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", LOCAL_TIMEZONE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=get_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["weekdays"] = lambda days: weekdays_text(days, get_locale())
    app.jinja_env.globals["money"] = lambda amount, signed=False: format_money(
        amount, get_locale(), signed
    )
    app.jinja_env.globals["local_date"] = lambda day, weekday=True, short=False: format_date(
        day, get_locale(), weekday=weekday, short=short
    )
    app.jinja_env.globals["local_datetime"] = lambda moment: format_datetime(moment, get_locale())
    app.jinja_env.globals["number"] = lambda value, digits=0, signed=False: format_number(
        value, get_locale(), digits, signed
    )
    app.jinja_env.globals["language_url"] = language_url
    app.jinja_env.globals["pick_name"] = lambda thing: name(thing, get_locale())

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            response.set_cookie(
                "lang", chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        return response
