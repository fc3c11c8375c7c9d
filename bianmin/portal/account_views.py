"""A member of staff's own account: change the password, see and revoke their API tokens
(等保 2.0 level 3, identification and authentication). Everything here acts on the signed-in
user only; nobody reaches another person's account through these pages."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.api import selectors as token_selectors
from bianmin.api import services as token_services
from bianmin.common.paging import paginate
from bianmin.orgs.services import account_set_password


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/account/password_change.html"
    success_url = reverse_lazy("portal:password_change")

    def form_valid(self, form):
        account_set_password(
            actor=self.request.user,
            user=form.user,
            password=form.cleaned_data["new_password1"],
        )
        # The session was signed with the old password; keep this one, end the others.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("密码已修改。此前签发的 API 令牌已全部失效。"))
        return HttpResponseRedirect(self.get_success_url())


@login_required
def token_list(request):
    tokens = token_selectors.token_list(viewer=request.user)
    return render(request, "portal/account/tokens.html", {"page": paginate(request, tokens)})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = token_services.token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("令牌 %(p)s… 已撤销。") % {"p": token.prefix})
    return redirect("portal:tokens")


@login_required
@require_POST
def token_revoke_all(request):
    n = token_services.token_revoke_all(actor=request.user)
    messages.success(request, _("已撤销 %(n)s 个令牌。") % {"n": n})
    return redirect("portal:tokens")
