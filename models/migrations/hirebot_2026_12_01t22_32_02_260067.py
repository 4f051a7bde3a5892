from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-01T22:32:02:260067"
VERSION = "1.38.0"
DESCRIPTION = "job list versions per organization and user"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="hirebot", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Organization",
        tablename="organization",
        column_name="lists_version",
        db_column_name="lists_version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="User",
        tablename="app_user",
        column_name="lists_version",
        db_column_name="lists_version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
