"""One line per timeline event that says what happened in words: where the case went, what was
decided, what was asked for and who signed (the event's data, as the engine recorded it)."""

from django.utils.translation import gettext as _

from .models import SuspensionReason


def _join(items) -> str:
    return "、".join(str(i) for i in items if i)


def event_summary(action: str, data: dict) -> str:
    """What the event says beyond its action label, from its recorded data."""
    if not isinstance(data, dict):
        return ""
    d = data
    if action in ("forward", "hand_back"):
        line = _("%(a)s → %(b)s") % {"a": d.get("from_unit", ""), "b": d.get("to_unit", "")}
        if d.get("originals"):
            line += _("（纸质原件随件移交）")
        return line
    if action == "receive":
        return _("%(u)s 接收") % {"u": d.get("unit", "")}
    if action in ("accept", "deem_accept"):
        parts = [_("受理日期 %(d)s") % {"d": d.get("accepted_on", "")}]
        if d.get("promised_due") and d.get("promised_due") != "None":
            parts.append(_("承诺办结 %(d)s") % {"d": d["promised_due"]})
        if d.get("proxy_due"):
            parts.append(_("代办办结 %(d)s") % {"d": d["proxy_due"]})
        return "；".join(parts)
    if action == "notify_missing":
        return _("一次性告知补正：%(m)s") % {"m": _join(d.get("materials", []))}
    if action == "supplement":
        line = _("补交：%(m)s") % {"m": _join(m.split(":")[0] for m in d.get("materials", []))}
        if d.get("still_missing"):
            line += _("；仍缺：%(m)s") % {"m": _join(d["still_missing"])}
        return line
    if action == "decide" or (action == "conclude" and "approved" in d):
        verdict = _("准予") if d.get("approved") else _("不予批准")
        return f"{verdict}：{d['reasons']}" if d.get("reasons") else str(verdict)
    if action == "conclude" and d.get("certificate_number"):
        return _("证照编号 %(n)s") % {"n": d["certificate_number"]}
    if action == "opine":
        verdict = _("同意") if d.get("approved") else _("不同意")
        opinion = d.get("opinion") or d.get("reasons") or ""
        return f"{d.get('unit', '')}：{verdict}" + (f"（{opinion}）" if opinion else "")
    if action == "review":
        if d.get("joint_units"):
            return _("联审部门：%(u)s") % {"u": _join(d["joint_units"])}
        return d.get("opinion", "")
    if action == "site_check":
        return _("%(d)s 现场核查：%(f)s") % {
            "d": d.get("checked_on", ""),
            "f": d.get("findings", ""),
        }
    if action == "suspend":
        reason = d.get("reason", "")
        label = SuspensionReason(reason).label if reason in SuspensionReason.values else reason
        return _("%(r)s，书面告知需 %(n)s 个工作日") % {"r": label, "n": d.get("told_days", "")}
    if action == "resume":
        return _("承诺办结顺延至 %(d)s") % {"d": d.get("promised_due", "")}
    if action == "extend":
        return _("延长 %(n)s 个工作日：%(r)s") % {"n": d.get("days", ""), "r": d.get("reason", "")}
    if action in ("deliver", "hand_over"):
        line = _("签收人：%(n)s") % {"n": d.get("signed_by_name", "")}
        if d.get("feedback"):
            line += _("；意见：%(f)s") % {"f": d["feedback"]}
        return line
    if action in ("decline", "withdraw", "pledge_false", "cancel"):
        return d.get("reasons") or d.get("reason") or ""
    if action == "upload":
        return _("%(m)s，%(n)s 页") % {"m": d.get("material", ""), "n": d.get("pages", "")}
    if action == "file_review":
        return f"{d.get('material', '')}：{d.get('verdict_label', d.get('verdict', ''))}"
    if action in ("entrust", "register"):
        return _join([d.get("unit", ""), d.get("item", "")])
    return ""
