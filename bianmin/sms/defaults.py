"""The default message templates, seeded by migration 0002 and `templates_seed`; administrators
edit them in the admin afterwards."""

DEFAULT_TEMPLATES = {
    "notice": "您申请的{item}（办件编号{case_number}）材料不全，{unit}已一次性告知需补正：{materials}。补齐后请交回办理单位。查询：{link}",
    "accepted": "您申请的{item}已由{unit}受理，办件编号{case_number}，承诺办结：{due_on}。查询进度：{link}",
    "decided": "您申请的{item}（办件编号{case_number}）{unit}已作出决定：{result}。查询：{link}",
    "ready": "您申请的{item}（办件编号{case_number}）办理结果已到{unit}，请携带身份证件前往领取（代办件由代办员送达）。",
    "rating": "您申请的{item}（办件编号{case_number}）已办结送达，欢迎评价本次服务（凭手机号后四位）：{link}",
    "complaint_reply": "您的投诉（编号{complaint_number}）已有答复，请在 {site} 凭投诉编号和手机号后四位查看。",
}


def templates_seed(model=None) -> int:
    """Create the default templates that are missing (an edited one is kept); how many."""
    if model is None:
        from .models import SmsTemplate as model
    created = 0
    for code, text in DEFAULT_TEMPLATES.items():
        created += model.objects.get_or_create(code=code, defaults={"text": text})[1]
    return created
