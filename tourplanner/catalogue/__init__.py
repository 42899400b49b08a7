"""The regional catalogue: provinces, attractions, hubs and gateways."""
