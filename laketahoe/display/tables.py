"""The building blocks of every rendering: state badges, aligned text tables, HTML tables, key-value pairs."""

from __future__ import annotations

import html

STATE_COLORS = {
    "QUEUED": "#757575",
    "PREPARING": "#6d4c41",
    "RUNNING": "#1565c0",
    "SUCCEEDED": "#2e7d32",
    "FAILED": "#c62828",
    "CANCELLING": "#ef6c00",
    "CANCELLED": "#616161",
    # Deployments
    "DEPLOYING": "#1565c0",
    "READY": "#2e7d32",
    "UPDATING": "#ef6c00",
    "DELETING": "#616161",
    # Alerts
    "firing": "#c62828",
    "resolved": "#2e7d32",
}


def badge_html(state: str) -> str:
    """A coloured state pill."""
    color = STATE_COLORS.get(state, "#757575")
    return (f'<span class="jp-laketahoe-state" style="background:{color};color:#fff;border-radius:8px;'
            f'padding:1px 8px;font-size:90%">{html.escape(state)}</span>')


def number_text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def text_table(rows: list[tuple]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def html_table(css: str, header: tuple, rows: list[list[str]]) -> str:
    """Rows of ready-made HTML cells under an escaped header."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def pairs_text(pairs: list) -> str:
    """``key: value`` lines with the values aligned."""
    width = max(len(k) for k, _ in pairs)
    return "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in pairs)


def pairs_html(pairs: list, css_class: str) -> str:
    """A definition table: the state as a badge, the error preformatted."""
    rows = []
    for key, value in pairs:
        if key == "state":
            cell = badge_html(value)
        elif key == "errorMessage":
            cell = f"<pre style='white-space:pre-wrap'>{html.escape(value)}</pre>"
        else:
            cell = html.escape(value)
        rows.append(f"<tr><th style='text-align:left'>{key}</th><td style='text-align:left'>{cell}</td></tr>")
    return f'<table class="{css_class}">{"".join(rows)}</table>'
