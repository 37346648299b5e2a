"""After approval (新优药械目录): the innovative-product catalogue, hospitals' admission assessment (入院评估) and
first purchase and use (首购首用), the regulator's view and the open data API."""


def setup(app) -> None:
    return None
