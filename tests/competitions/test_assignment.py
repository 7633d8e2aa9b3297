"""Judge assignment: properties on random instances (hypothesis), conflicts from declarations,
the service with the organizer's manual pairs, and the cross-check of infeasibility by CP-SAT."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from accounts.models import AuditEntry
from competitions.assignment import Infeasible, solve_assignment
from competitions.errors import CompetitionError
from competitions.models import Assignment, Conflict
from competitions.services import assignment_add, assignment_remove, conflict_pairs, judge_accept, round_assign
from events.solving import SolveError, solve
from tests.factories import UserFactory, candidate

from .factories import a_competition, a_judge, a_round, an_entry, boss


def cpsat_balanced_exists(entries, judges, k, conflicts) -> bool:
    """An independent model of the same rules (CP-SAT through events.solving): can every entry
    get K conflict-free judges with every load within ⌊KE/J⌋..⌈KE/J⌉?"""
    model = cp_model.CpModel()
    x = {(j, e): model.NewBoolVar(f"x{j}_{e}") for j in judges for e in entries if (j, e) not in conflicts}
    for e in entries:
        model.Add(sum(x[j, e] for j in judges if (j, e) in x) == k)
    low, extra = divmod(k * len(entries), len(judges))
    for j in judges:
        load = sum(x[j, e] for e in entries if (j, e) in x)
        model.Add(load >= low)
        model.Add(load <= low + (1 if extra else 0))
    try:
        solve(model, time_limit=10, workers=1)
    except SolveError as error:
        assert error.code == "infeasible"
        return False
    return True


instances = st.integers(1, 30).flatmap(
    lambda E: st.integers(2, 12).flatmap(
        lambda J: st.tuples(
            st.just(E),
            st.just(J),
            st.integers(1, min(4, J)),
            st.sets(st.tuples(st.integers(0, J - 1), st.integers(0, E - 1)), max_size=E * J // 4),
        )
    )
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances)
def test_solve_assignment_properties_on_random_instances(instance):
    E, J, k, conflicts = instance
    entries, judges = list(range(E)), list(range(100, 100 + J))
    conflicts = {(100 + j, e) for j, e in conflicts}
    try:
        plan = solve_assignment(entries, judges, k, conflicts)
    except Infeasible:
        # Only when some entry has fewer than K allowed judges... checked by counting.
        allowed = Counter(e for e in entries for j in judges if (j, e) not in conflicts)
        assert any(allowed[e] < k for e in entries) or not cpsat_balanced_exists(entries, judges, k, conflicts)
        return
    pairs = plan.pairs
    assert len(pairs) == len(set(pairs))
    assert not set(pairs) & conflicts  # no conflict, ever
    assert Counter(e for _j, e in pairs) == dict.fromkeys(entries, k)  # exactly K judges per entry
    if plan.balanced:
        assert plan.spread <= 1  # loads within ±1
    else:
        # Leaving the band is allowed only when no balanced assignment exists.
        assert not cpsat_balanced_exists(entries, judges, k, conflicts)


def test_solve_assignment_hand_example():
    # 4 entries, 3 judges, K=2: 8 places, loads 3/3/2; judge 10 conflicts with entry 0.
    plan = solve_assignment([0, 1, 2, 3], [10, 11, 12], 2, {(10, 0)})
    assert (10, 0) not in plan.pairs
    assert sorted(plan.loads.values()) == [2, 3, 3] and plan.balanced
    assert sorted(j for j, e in plan.pairs if e == 0) == [11, 12]


def test_solve_assignment_keeps_fixed_and_prefers_affinity():
    plan = solve_assignment([0, 1], [10, 11, 12, 13], 1, set(), fixed={(13, 1)}, affinity={(12, 0)})
    assert sorted(plan.pairs) == [(12, 0), (13, 1)]


def test_solve_assignment_impossible_raises():
    with pytest.raises(Infeasible):
        solve_assignment([0], [10, 11], 2, {(10, 0)})


@pytest.mark.django_db
def test_conflict_pairs_from_organisation_declarations_and_team():
    competition = a_competition()
    alice = candidate(full_name="李海燕")
    e_org = an_entry(competition, organisation="中国海洋大学")
    e_declared = an_entry(competition, organisation="青岛大学")
    e_coauthor = an_entry(competition, organisation="山东科技大学", lead=alice)
    e_company = an_entry(competition, organisation="哈尔滨工程大学")
    e_company.company_name = "青岛海巡科技有限公司"
    e_company.save()
    e_free = an_entry(competition, organisation="复旦大学")
    judge_user = UserFactory()
    judge = a_judge(competition, organisation="中国 海洋大学", user=judge_user)  # spaces and case do not hide it
    judge_accept(
        judge=judge,
        user=judge_user,
        organisation="中国海洋大学",
        entry_ids=[e_declared.pk],
        organisations=["青岛海巡科技有限公司"],
        coauthors=["李海燕"],
    )
    member = a_judge(competition, organisation="复旦大学", user=e_free.lead)  # a judge on a team
    pairs = conflict_pairs(competition)
    assert {e for j, e in pairs if j == judge.pk} == {e_org.pk, e_declared.pk, e_coauthor.pk, e_company.pk}
    assert {e for j, e in pairs if j == member.pk} == {e_free.pk}
    assert Conflict.objects.filter(judge=judge).count() == 3


@pytest.mark.django_db
def test_round_assign_service_k_per_entry_no_conflicts_and_manual_pairs_kept():
    competition, organizer = a_competition(), boss()
    orgs = ["中国海洋大学", "山东大学", "青岛大学", "中国石油大学（华东）"]
    entries = [an_entry(competition, organisation=orgs[i % 4]) for i in range(10)]
    judges = [a_judge(competition, organisation=orgs[i % 4]) for i in range(6)]
    round_ = a_round(competition, k=2)
    manual = assignment_add(round_=round_, actor=organizer, judge=judges[1], entry=entries[0])
    report = round_assign(round_=round_, actor=organizer)
    assert report["pairs"] == 20 and report["spread"] <= 1 and report["balanced"] and report["fixed"] == 1
    rows = list(Assignment.objects.filter(round=round_).values_list("judge_id", "entry_id"))
    assert not set(rows) & conflict_pairs(competition)
    assert Counter(e for _j, e in rows) == {e.pk: 2 for e in entries}
    assert Assignment.objects.filter(pk=manual.pk, manual=True).exists()
    assert AuditEntry.objects.filter(action="competition.round_assign").count() == 1
    with pytest.raises(CompetitionError) as error:
        assignment_add(round_=round_, actor=organizer, judge=judges[0], entry=entries[0])  # same organisation
    assert error.value.code == "conflict"
    assignment_remove(assignment=manual, actor=organizer)
    assert not Assignment.objects.filter(pk=manual.pk).exists()


@pytest.mark.django_db
def test_round_assign_infeasible_says_so():
    competition = a_competition()
    an_entry(competition, organisation="山东大学")
    a_judge(competition, organisation="山东大学")
    a_judge(competition, organisation="青岛大学")
    with pytest.raises(CompetitionError) as error:
        round_assign(round_=a_round(competition, k=2), actor=boss())
    assert error.value.code == "infeasible"


@pytest.mark.django_db
def test_round_assign_by_non_organizer_refused():
    competition = a_competition()
    an_entry(competition)
    with pytest.raises(CompetitionError) as error:
        round_assign(round_=a_round(competition), actor=candidate())
    assert error.value.code == "forbidden"
