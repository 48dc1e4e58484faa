"""Names that only a framework or the database reads, for `make deadcode` (vulture).

Each line names an attribute or a variable; nothing here runs.
"""

from types import SimpleNamespace

_ = SimpleNamespace()

# pydantic
_.model_config

# SQLAlchemy: the column type's hooks, and columns the bot writes for the record
_.impl
_.cache_ok
_.process_bind_param
_.process_result_value
_.type_annotation_map
_.used_by
_.sent_at
_.telegram_message_id
_.ran_at
_.corrects_id
_.changed_at
_.decided_at
_.received_at
_.OFFICIAL_DUTY

# tornado's RequestHandler hooks
_.on_connection_close
_.write_error
_.set_default_headers
_.log_exception

# signatures a caller fixes: an async context manager's exit, alembic's render_item
_.exc_type
_.tb
_.autogen_context

# decimal's context precision
_.prec

# what the Bot API emulator records of each call, for tests to read
_.cache_time
_.silent

# modules imported so that their buttons and first screens register themselves
_.SCREENS

# Read by templates (`{{ punct.colon }}`), not by Python
_.colon
_.comma
_.semicolon

# Registered by decorator: `/start` links (bot.core.links.on_start)
_.rules_from_link

# jinja2 Environment options set in tests
_.undefined
