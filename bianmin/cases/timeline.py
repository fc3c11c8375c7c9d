"""One line per timeline event that says what happened in words: where the case went, what was
decided, what was asked for and who signed (the event's data, as the engine recorded it)."""

from django.utils.translation import gettext as _

from .models import SuspensionReason


def _join(items) -> str:
    return "、".join(str(i) for i in items if i)


def _hop(d: dict) -> str:
    line = _("%(a)s → %(b)s") % {"a": d.get("from_unit", ""), "b": d.get("to_unit", "")}
    if d.get("originals"):
        line += _("（纸质原件随件移交）")
    return line


def _receive(d: dict) -> str:
    return _("%(u)s 接收") % {"u": d.get("unit", "")}


def _accept(d: dict) -> str:
    parts = [_("受理日期 %(d)s") % {"d": d.get("accepted_on", "")}]
    if d.get("promised_due") and d.get("promised_due") != "None":
        parts.append(_("承诺办结 %(d)s") % {"d": d["promised_due"]})
    if d.get("proxy_due"):
        parts.append(_("代办办结 %(d)s") % {"d": d["proxy_due"]})
    return "；".join(parts)


def _notify_missing(d: dict) -> str:
    return _("一次性告知补正：%(m)s") % {"m": _join(d.get("materials", []))}


def _supplement(d: dict) -> str:
    line = _("补交：%(m)s") % {"m": _join(m.split(":")[0] for m in d.get("materials", []))}
    if d.get("still_missing"):
        line += _("；仍缺：%(m)s") % {"m": _join(d["still_missing"])}
    return line


def _decide(d: dict) -> str:
    verdict = _("准予") if d.get("approved") else _("不予批准")
    return f"{verdict}：{d['reasons']}" if d.get("reasons") else str(verdict)


def _conclude(d: dict) -> str:
    # A conclusion with the decision in it reads as the decision; else the certificate it issued.
    if "approved" in d:
        return _decide(d)
    if d.get("certificate_number"):
        return _("证照编号 %(n)s") % {"n": d["certificate_number"]}
    return ""


def _opine(d: dict) -> str:
    verdict = _("同意") if d.get("approved") else _("不同意")
    opinion = d.get("opinion") or d.get("reasons") or ""
    return f"{d.get('unit', '')}：{verdict}" + (f"（{opinion}）" if opinion else "")


def _review(d: dict) -> str:
    if d.get("joint_units"):
        return _("联审部门：%(u)s") % {"u": _join(d["joint_units"])}
    return d.get("opinion", "")


def _site_check(d: dict) -> str:
    return _("%(d)s 现场核查：%(f)s") % {"d": d.get("checked_on", ""), "f": d.get("findings", "")}


def _suspend(d: dict) -> str:
    reason = d.get("reason", "")
    label = SuspensionReason(reason).label if reason in SuspensionReason.values else reason
    return _("%(r)s，书面告知需 %(n)s 个工作日") % {"r": label, "n": d.get("told_days", "")}


def _resume(d: dict) -> str:
    return _("承诺办结顺延至 %(d)s") % {"d": d.get("promised_due", "")}


def _extend(d: dict) -> str:
    return _("延长 %(n)s 个工作日：%(r)s") % {"n": d.get("days", ""), "r": d.get("reason", "")}


def _signed(d: dict) -> str:
    line = _("签收人：%(n)s") % {"n": d.get("signed_by_name", "")}
    if d.get("feedback"):
        line += _("；意见：%(f)s") % {"f": d["feedback"]}
    return line


def _reasons(d: dict) -> str:
    return d.get("reasons") or d.get("reason") or ""


def _upload(d: dict) -> str:
    return _("%(m)s，%(n)s 页") % {"m": d.get("material", ""), "n": d.get("pages", "")}


def _file_review(d: dict) -> str:
    return f"{d.get('material', '')}：{d.get('verdict_label', d.get('verdict', ''))}"


def _intake(d: dict) -> str:
    return _join([d.get("unit", ""), d.get("item", "")])


# Which line each action's event gets; an action not listed has none.
SUMMARIES = {
    "forward": _hop,
    "hand_back": _hop,
    "receive": _receive,
    "accept": _accept,
    "deem_accept": _accept,
    "notify_missing": _notify_missing,
    "supplement": _supplement,
    "decide": _decide,
    "conclude": _conclude,
    "opine": _opine,
    "review": _review,
    "site_check": _site_check,
    "suspend": _suspend,
    "resume": _resume,
    "extend": _extend,
    "deliver": _signed,
    "hand_over": _signed,
    "decline": _reasons,
    "withdraw": _reasons,
    "pledge_false": _reasons,
    "cancel": _reasons,
    "upload": _upload,
    "file_review": _file_review,
    "entrust": _intake,
    "register": _intake,
}


def event_summary(action: str, data: dict) -> str:
    """What the event says beyond its action label, from its recorded data."""
    if not isinstance(data, dict):
        return ""
    summary = SUMMARIES.get(action)
    return summary(data) if summary else ""
