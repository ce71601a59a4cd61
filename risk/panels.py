"""Home-page panels of the risk app (registered in ``RiskConfig.ready``); filled in below."""


def register_panels() -> None:
    return None
