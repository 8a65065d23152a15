"""What a user sees when something goes wrong: a message for their mistakes, an apology for ours."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import streamlit as st

from analytics.errors import MutualError
from ui.format import plain

__all__ = ["run_guarded", "message"]

log = logging.getLogger("mutual")


def message(error: MutualError) -> str:
    """A user's error as markdown: each line of it as typed (file names and values are data), one per line."""
    return "  \n".join(plain(line) for line in str(error).splitlines())


def run_guarded(run: Callable[[], object]) -> None:
    """Run a page; show MutualError as a message and any other error as an apology with an error id."""
    try:
        run()
    except MutualError as error:
        st.error(message(error), icon=":material/error:")
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        log.exception("unexpected error %s", error_id)
        st.error(
            f"Sorry, something went wrong while drawing this page (error id {error_id}). "
            "The details are in the server log; please pass the error id to your administrator.",
            icon=":material/sentiment_dissatisfied:",
        )
