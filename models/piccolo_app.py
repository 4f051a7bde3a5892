"""Piccolo app definition: the tables and where their migrations live."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from models.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="hirebot",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
