"""The data Aspire ships: the questionnaire versions with their translations (instruments/) and the default
growth-path catalogue (catalogue.toml).

A package of its own so that a wheel, an editable install and a checkout all carry these files and find
them the same way, through importlib.resources (coaching.core.settings.SHIPPED_DIR). COACHING_DATA_DIR
points Aspire at another folder of the same layout.
"""
