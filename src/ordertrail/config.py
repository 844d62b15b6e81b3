"""Settings from the environment (ORDERTRAIL_*) or ./ordertrail.toml; defaults run embedded."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ORDERTRAIL_", toml_file="ordertrail.toml", extra="ignore"
    )

    database_url: str = "sqlite:///ordertrail.db"
    #: FULL: an acknowledged event survives a power cut. NORMAL is faster and survives a crash
    #: of the process but may lose the last transactions on power loss.
    sqlite_synchronous: Literal["OFF", "NORMAL", "FULL", "EXTRA"] = "FULL"
    #: Largest number of events one API call takes (`ingest --batch` sets its own).
    max_batch: int = 1000

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
