from django.utils.functional import SimpleLazyObject

from .queries import is_chair_in_office, state_eligible_today


def roles(request):
    """Tells templates what the user is: Secretariat, CSP President, Chair in office."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "user_is_secretariat": user.is_secretariat,
        "user_is_president": user.is_csp_president,
        "user_is_chair": SimpleLazyObject(lambda: is_chair_in_office(user)),
        # ToR rule 6: a delegate or national authority user of a State not eligible today reaches
        # none of the Forum's pages; the menu (cached per role, language and this) offers none.
        "user_state_eligible": SimpleLazyObject(lambda: state_eligible_today(user)),
    }
