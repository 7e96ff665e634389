"""Persistence: DuckDB connection discipline, migrations, and the Store interface the services use."""

from coaching.store.database import Database, StoreLockedError, StoreOpenError
from coaching.store.store import Member, NewMember, NewResponse, Store, StoredResponse, Team, Wave, open_store

__all__ = [
    "Database", "Member", "NewMember", "NewResponse", "Store", "StoreLockedError", "StoreOpenError",
    "StoredResponse", "Team", "Wave", "open_store",
]
