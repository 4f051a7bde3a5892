"""Piccolo's configuration: the engine comes from Hirebot's settings (HIREBOT_DATABASE_URL)."""

from piccolo.conf.apps import AppRegistry

from models.db import engine_from_settings
from models.settings import get_settings

DB = engine_from_settings(get_settings())

APP_REGISTRY = AppRegistry(apps=["models.piccolo_app"])
