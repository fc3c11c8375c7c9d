from bianmin.orgs.scope import scope_for
from bianmin.orgs.selectors import unit_list


def test_village_agent_sees_own_village_only(county):
    s = scope_for(county.a11.user)
    assert s.kind == "village"
    assert s.can_see_region(county.v11.code)
    assert not s.can_see_region(county.v12.code)
    assert not s.can_see_region(county.t1.code)
    assert set(unit_list(viewer=county.a11.user)) == {county.s11}


def test_township_staff_sees_township_and_villages(county):
    s = scope_for(county.t1_staff.user)
    assert s.kind == "township"
    assert s.can_see_region(county.v12.code)
    assert not s.can_see_region(county.v21.code)
    assert set(unit_list(viewer=county.t1_staff.user)) == {county.tc1, county.s11, county.s12}


def test_department_acts_for_itself_only(county):
    s = scope_for(county.civil.user)
    assert s.kind == "department"
    assert not s.sees_region_cases
    assert set(unit_list(viewer=county.civil.user)) == {county.dept_civil}
    assert s.can_act_for_unit(county.dept_civil) and not s.can_act_for_unit(county.dept_land)


def test_supervisor_sees_jurisdiction(county):
    s = scope_for(county.supervisor.user)
    assert s.kind == "jurisdiction"
    assert s.can_see_region(county.v22.code)
    assert unit_list(viewer=county.supervisor.user).count() == 11


def test_anonymous_has_no_scope(county):
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()).is_empty
