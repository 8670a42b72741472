"""Raken's dialect, without Odoo: its approved time cards and daily reports
as the suite's canonical event envelopes, and its offset / limit pages.

Raken's API reference (developer.rakenapp.com) is given to customers and
partners; it is not public, and no copy of it could be consulted. The shapes
read here are the ones Raken's API is known to answer in practice, stated as
assumptions and kept in one place so that a difference is fixed here only:

* every list is ``GET /<resource>?offset=&limit=`` answering
  ``{"collection": [...], "page": {"offset", "limit", "totalElements"}}``;
* ``GET /timeCards?status=APPROVED&updatedAfter=`` lists time cards (one per
  worker, project and day: ``uuid``, ``date``, ``status``, ``updatedAt``,
  ``worker`` ``{uuid, firstName, lastName, employeeId}``, ``project``
  ``{uuid, name}``, ``approvedBy`` ``{firstName, lastName}`` and
  ``timeEntries`` ``[{uuid, hours, payType {code, name}, classification
  {name}, costCode {code, division}}]``);
* ``GET /dailyReports?updatedAfter=`` lists daily reports (``uuid``,
  ``date``, ``updatedAt``, ``project``, ``weather`` ``{summary,
  temperatureHigh, temperatureLow, temperatureUnit, precipitation, delay}``,
  ``crews`` ``[{trade, subcontractor, workerCount, hours}]``, ``equipment``
  ``[{name, quantity, hours, status}]``, ``notes`` ``[{category, text}]``
  with categories ``DELIVERY``, ``DELAY``, ``SAFETY`` and ``GENERAL``, and
  ``photos`` ``[{uuid, url, takenAt, description, lat, lng}]``);
* a ``429`` answer may carry ``Retry-After`` (seconds) or nothing.
"""

DEFAULT_BASE_URL = "https://developer.rakenapp.com/api"
PAGE_LIMIT = 100
# Raken's pay types (its standard codes) as the suite's pay classes.
PAY_CLASSES = {"RT": "regular", "ST": "regular", "OT": "overtime", "DT": "double"}
NOTE_FIELDS = {"DELIVERY": "deliveries", "DELAY": "delays", "SAFETY": "safety"}


class Unmappable(ValueError):
    """The item is not something the suite can take in; the reason says why."""


def _text(value):
    value = value.strip() if isinstance(value, str) else value
    return value or None


def _name(person):
    person = person or {}
    return " ".join(filter(None, [_text(person.get("firstName")), _text(person.get("lastName"))]))


def _envelope(event_type, key, item, payload):
    """An envelope whose dedupe key is ``key`` at the item's version (its
    ``updatedAt``): the same version pulled twice is one event."""
    envelope = {
        "event_type": event_type,
        "idempotency_key": f"{key}@{item.get('updatedAt') or ''}",
        "payload": payload,
    }
    if item.get("updatedAt"):
        envelope["occurred_at"] = item["updatedAt"]
    return envelope


def page_items(document):
    """``(items, total)`` of one list answer; ``total`` None when not given."""
    if not isinstance(document, dict) or not isinstance(document.get("collection"), list):
        raise Unmappable("a Raken list answer is an object with a collection")
    page = document.get("page") if isinstance(document.get("page"), dict) else {}
    total = page.get("totalElements")
    return document["collection"], total if isinstance(total, int) else None


def next_offset(offset, limit, count, total):
    """The next page's offset, or None once the last page was read: a short
    page, or the total reached."""
    if count < limit or (total is not None and offset + count >= total):
        return None
    return offset + count


def time_card_envelopes(card):
    """``labor.approved`` envelopes of an approved time card, one per time
    entry; its dedupe key is the entry's id and the card's version."""
    if not isinstance(card, dict) or not card.get("uuid"):
        raise Unmappable("a Raken time card needs its uuid")
    if card.get("status") != "APPROVED":
        raise Unmappable(f"Raken time card {card['uuid']} is not approved")
    worker, project = card.get("worker") or {}, card.get("project") or {}
    employee = _text(worker.get("employeeId")) or _text(worker.get("uuid"))
    if not employee:
        raise Unmappable(f"Raken time card {card['uuid']} names no worker")
    if not project.get("uuid"):
        raise Unmappable(f"Raken time card {card['uuid']} names no project")
    if not card.get("date"):
        raise Unmappable(f"Raken time card {card['uuid']} has no date")
    envelopes = []
    for entry in card.get("timeEntries") or []:
        if not entry.get("uuid") or not entry.get("hours"):
            raise Unmappable(f"Raken time card {card['uuid']} has an entry without id or hours")
        pay_type = entry.get("payType") or {}
        pay_class = PAY_CLASSES.get((pay_type.get("code") or "RT").upper())
        if not pay_class:
            raise Unmappable(
                f"Raken pay type {pay_type.get('code')!r} of time card {card['uuid']} is "
                "not regular, overtime or double time"
            )
        classification = _text((entry.get("classification") or {}).get("name"))
        payload = {
            "source_entry_id": str(entry["uuid"]),
            "employee": str(employee),
            "project": str(project["uuid"]),
            "work_date": card["date"],
            "hours": float(entry["hours"]),
            "pay_class": pay_class,
            "description": " · ".join(
                filter(
                    None,
                    [
                        f"Raken: {_name(worker) or employee}",
                        classification,
                        _text(pay_type.get("name")),
                    ],
                )
            ),
        }
        cost_code = _text((entry.get("costCode") or {}).get("code"))
        if cost_code:
            payload["cost_code"] = cost_code
        if classification:
            payload["crew"] = classification
        approver = _name(card.get("approvedBy"))
        if approver:
            payload["approver"] = approver
        envelopes.append(_envelope("labor.approved", f"timeEntry:{entry['uuid']}", card, payload))
    if not envelopes:
        raise Unmappable(f"Raken time card {card['uuid']} has no time entry")
    return envelopes


def celsius(value, unit):
    """A temperature in °C from Raken's value in its ``unit`` (F or C)."""
    if value in (None, ""):
        return None
    value = float(value)
    return round((value - 32) * 5 / 9, 1) if (unit or "F").upper() == "F" else value


def daily_report_envelope(report):
    """The ``daily_log.reported`` envelope of a daily report; its photos
    travel in it and become ``photo.published`` events when it is applied."""
    if not isinstance(report, dict) or not report.get("uuid"):
        raise Unmappable("a Raken daily report needs its uuid")
    project = report.get("project") or {}
    if not project.get("uuid") or not report.get("date"):
        raise Unmappable(f"Raken daily report {report['uuid']} has no project or date")
    weather = report.get("weather") or {}
    unit = weather.get("temperatureUnit")
    payload = {
        "external_id": str(report["uuid"]),
        "project": str(project["uuid"]),
        "date": report["date"],
        "weather": {
            "summary": _text(weather.get("summary")),
            "temperature_high": celsius(weather.get("temperatureHigh"), unit),
            "temperature_low": celsius(weather.get("temperatureLow"), unit),
            "precipitation": _text(weather.get("precipitation")),
            "delay": bool(weather.get("delay")),
        },
        "crews": [
            {
                "trade": _text(crew.get("trade")) or "Crew",
                "company": _text(crew.get("subcontractor")),
                "headcount": int(crew.get("workerCount") or 0),
                "hours": float(crew.get("hours") or 0),
            }
            for crew in report.get("crews") or []
        ],
        "equipment": [
            {
                "name": _text(item.get("name")) or "Equipment",
                "quantity": int(item.get("quantity") or 1),
                "hours": float(item.get("hours") or 0),
                "status": _text(item.get("status")),
            }
            for item in report.get("equipment") or []
        ],
        "photos": [],
    }
    notes = {}
    for note in report.get("notes") or []:
        key = NOTE_FIELDS.get((note.get("category") or "").upper(), "notes")
        if _text(note.get("text")):
            notes.setdefault(key, []).append(note["text"].strip())
    payload.update({key: "\n".join(texts) for key, texts in notes.items()})
    for photo in report.get("photos") or []:
        if not photo.get("uuid") or not _text(photo.get("url")):
            raise Unmappable(f"Raken daily report {report['uuid']} has a photo without id or url")
        payload["photos"].append(
            {
                "external_id": str(photo["uuid"]),
                "image_url": photo["url"],
                "captured_at": _text(photo.get("takenAt")),
                "latitude": photo.get("lat"),
                "longitude": photo.get("lng"),
                "note": _text(photo.get("description")),
                "filename": f"raken-{photo['uuid']}.jpg",
            }
        )
    return _envelope("daily_log.reported", f"dailyReport:{report['uuid']}", report, payload)
