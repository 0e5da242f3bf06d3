"""The capabilities of backend.accounts.policy, role by role: the one table of who may do what.

The URL table (test_url_access_table.py) checks the same rules through every route; this one
reads the policy itself, so a change to a role's rights shows here as one changed row."""

import pytest

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.accounts.models import Role, Volunteer

VOLUNTEER = Volunteer(name="Tình nguyện viên")
ACTORS = {
    "admin": Actor(kind="user", role=Role.ADMIN),
    "leadership": Actor(kind="user", role=Role.LEADERSHIP),
    "hamlet_head": Actor(kind="user", role=Role.HAMLET_HEAD, hamlet_codes=frozenset({"AP01"})),
    "volunteer": Actor(kind="user", role=Role.VOLUNTEER, volunteer=VOLUNTEER),
    "viewer": Actor(kind="user", role=Role.VIEWER),
    "device": Actor(kind="device", role=Role.VOLUNTEER, volunteer=VOLUNTEER),
    "draft": Actor(kind="draft", draft_version_id=1),
    "anonymous": Actor(kind="user", role=None),
}
# capability → the actors it grants, every other actor refused.
GRANTS = {
    policy.can_administer: {"admin"},
    policy.can_manage_users: {"admin"},
    policy.sees_all_forms: {"admin", "leadership"},
    policy.can_submit_any_form: {"admin", "leadership"},
    policy.submits_assigned_forms: {"volunteer", "device"},
    policy.reads_submissions: {"admin", "leadership", "hamlet_head", "volunteer"},
    policy.sees_all_hamlets: {"admin", "leadership"},
    policy.sees_own_hamlets: {"hamlet_head"},
    policy.sees_own_submissions: {"volunteer", "device"},
    policy.sees_microdata: {"admin", "leadership"},
    policy.can_review: {"admin", "leadership", "hamlet_head"},
    policy.can_open_hamlet_pages: {"admin", "leadership", "hamlet_head"},
    policy.can_view_dashboard: {"admin", "leadership", "hamlet_head", "viewer"},
    policy.can_publish_results: {"admin", "leadership"},
    policy.sees_every_job: {"admin", "leadership"},
    policy.starts_on_hamlet_page: {"hamlet_head"},
    policy.can_manage_webhooks: {"admin", "leadership"},
}


@pytest.mark.parametrize("capability", GRANTS, ids=lambda f: f.__name__)
def test_each_capability_grants_exactly_its_roles(capability):
    granted = {name for name, actor in ACTORS.items() if capability(actor)}
    assert granted == GRANTS[capability]


def test_a_hamlet_head_reviews_only_their_own_hamlets_and_commune_roles_any():
    head = ACTORS["hamlet_head"]
    assert policy.can_review(head, "AP01") and not policy.can_review(head, "AP02")
    assert policy.can_review(ACTORS["leadership"], "AP02")
    assert not policy.can_review(ACTORS["device"], "AP01")


def test_a_volunteer_role_without_a_volunteer_record_submits_and_reads_nothing_of_its_own():
    orphan = Actor(kind="user", role=Role.VOLUNTEER)
    assert not policy.submits_assigned_forms(orphan) and not policy.sees_own_submissions(orphan)
    assert policy.reads_submissions(orphan)  # the route answers; the scoping selector then refuses (403)


def test_no_module_outside_the_policy_compares_roles_for_a_permission():
    """The role sets that used to live in ten modules are gone; `Role.` is used to assign a role
    (accounts services, demo setup), not to decide what someone may do."""
    import pathlib
    import re

    # These write roles (a volunteer's profile gets its Volunteer record); they grant nothing.
    assigning = {"backend/accounts/services.py", "backend/accounts/serializers.py", "backend/accounts/apis.py"}
    root = pathlib.Path(__file__).resolve().parents[2]
    decision = re.compile(r"\.role\s*(==|!=|in|not in)\s|role\s+in\s+\(|\bin\s+\(Role\.")
    offenders = []
    for path in sorted([*root.glob("backend/**/*.py"), *root.glob("sync/**/*.py")]):
        if "migrations" in path.parts or path.name == "policy.py" or str(path.relative_to(root)) in assigning:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if decision.search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []
