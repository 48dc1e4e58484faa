from pathlib import Path

import pytest

from bot.core.config import ConfigError, load_settings, parse_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def test_example_config_is_valid(no_network: None) -> None:
    settings = load_settings(EXAMPLE)
    assert settings.townships[0].code == "SHZ"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.database.url.startswith("sqlite+aiosqlite")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"timezone": 5}, "timezone"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"telegrm": {}}, "telegrm: unknown key"),
        ({"townships": [{"code": "SHZ"}]}, "townships[0] (SHZ).name: required key is missing"),
        ({"townships": [{"code": "shz", "name": "x"}]}, "townships[0] (shz).code"),
        (
            {"townships": [{"code": "SHZ", "name": "x", "villages": [{"name": "a", "lat": 1.0}]}]},
            "villages[0] (a): give both lat and lon",
        ),
        ({"database": {"url": "mysql://x"}}, "database.url"),
        ({"townships": [{"code": "A1", "name": "x"}, {"code": "A1", "name": "y"}]}, "duplicate"),
        ({"instance": {"active": "some"}}, "instance.active"),
        ({"instance": {"active": "all"}}, 'active = "all" needs PostgreSQL'),
    ],
)
def test_bad_config_names_the_key_and_file(data: dict, expected: str, no_network: None) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(data, "my.toml")
    assert "my.toml" in str(info.value)
    assert expected in str(info.value)


def test_malformed_toml_is_reported_with_the_file(tmp_path: Path, no_network: None) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[telegram\ntoken = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml is not valid TOML"):
        load_settings(path)


def test_missing_explicit_file(tmp_path: Path, no_network: None) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOWNSHIP_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TOWNSHIP_BOT_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    settings = parse_settings({"telegram": {"token": "from-file"}})
    assert settings.telegram.token == "123:abc"
    assert settings.database.url == "postgresql+asyncpg://u@h/db"


def test_all_instances_active_on_postgresql(no_network: None) -> None:
    settings = parse_settings(
        {"database": {"url": "postgresql+asyncpg://bot@db/township"}, "instance": {"active": "all"}}
    )
    assert settings.instance.active == "all"
    assert parse_settings({}).instance.active == "one"
