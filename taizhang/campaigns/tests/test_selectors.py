import pytest

from taizhang.campaigns import selectors, services
from taizhang.campaigns.selectors import LedgerFilters
from taizhang.campaigns.tests.factories import PairingFactory, ParticipantFactory, ProjectFactory
from taizhang.core.exceptions import DomainError
from taizhang.orgs.models import PoliticalStatus
from taizhang.orgs.tests.factories import PersonFactory


def test_linkage_figures_count_members_masses_and_pairs(world):
    a1 = ProjectFactory(campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1)
    ProjectFactory(campaign=world.campaign, org=world.branch_a1, lead=world.member_a1)
    # A legacy row whose lead is not a member (imported before the rule): counted as such.
    ProjectFactory(campaign=world.campaign, org=world.branch_a1, lead=world.masses_a1)
    ParticipantFactory(project=a1, person=world.masses_a1)
    ParticipantFactory(project=a1, person=world.masses_a1_b)
    ParticipantFactory(project=a1, person=world.member_a1)
    PairingFactory(campaign=world.campaign, member=world.member_a1, colleague=world.masses_a1)
    PairingFactory(campaign=world.campaign, member=world.member_a1, colleague=world.masses_a1_b)
    # The sibling branch's project must not show in branch a1's figures.
    ProjectFactory(campaign=world.campaign, org=world.branch_a2, lead=world.lead_person_a2)

    figures = selectors.linkage_figures(world.admin_a1, world.campaign)
    assert figures.projects == 3
    assert figures.projects_led_by_members == 2
    assert figures.participants == 3
    assert figures.non_member_participants == 2
    assert figures.members_paired == 1
    assert figures.colleagues_covered == 2
    assert figures.colleagues_per_paired_member == 2.0
    assert figures.members_leading == 2  # distinct Party-member leads; the legacy lead is not one
    # admin_a1, lead_a1 and member_a1 are the Party members of branch a1.
    assert figures.members_in_scope == 3

    company = selectors.linkage_figures(world.admin_company_a, world.campaign)
    assert company.projects == 4


def test_ledger_filters_and_pinyin_sort_by_lead(world):
    zhang = PersonFactory(org=world.branch_a1, name="张伟")
    ai = PersonFactory(org=world.branch_a1, name="艾丽")
    p1 = ProjectFactory(campaign=world.campaign, org=world.branch_a1, lead=zhang, title="稀土贸易")
    p2 = ProjectFactory(campaign=world.campaign, org=world.branch_a1, lead=ai, title="矿山减亏")
    rows = selectors.ledger_projects(world.admin_a1, world.campaign, LedgerFilters(sort="lead"))
    assert list(rows) == [p2, p1]
    rows = selectors.ledger_projects(world.admin_a1, world.campaign, LedgerFilters(q="贸易"))
    assert list(rows) == [p1]
    ParticipantFactory(project=p1)
    rows = {
        r.pk: r.participant_count
        for r in selectors.ledger_projects(world.admin_a1, world.campaign, LedgerFilters())
    }
    assert rows == {p1.pk: 1, p2.pk: 0}


def test_pairing_rules(world):
    campaign = world.campaign
    pairing = services.pairing_create(
        actor=world.admin_a1, campaign=campaign, member=world.member_a1, colleague=world.masses_a1
    )
    with pytest.raises(DomainError) as info:
        services.pairing_create(
            actor=world.admin_a1,
            campaign=campaign,
            member=world.lead_person_a1,
            colleague=world.masses_a1,
        )
    assert info.value.code == "duplicate"
    with pytest.raises(DomainError) as info:
        services.pairing_create(
            actor=world.admin_a1,
            campaign=campaign,
            member=world.masses_a1_b,
            colleague=world.masses_a1,
        )
    assert info.value.code == "member_not_party_member"
    with pytest.raises(DomainError) as info:
        services.pairing_create(
            actor=world.admin_a1,
            campaign=campaign,
            member=world.member_a1,
            colleague=world.lead_person_a1,
        )
    assert info.value.code == "colleague_is_member"
    outsider = PersonFactory(org=world.branch_a2, political_status=PoliticalStatus.MASSES)
    with pytest.raises(DomainError) as info:
        services.pairing_create(
            actor=world.admin_a1, campaign=campaign, member=world.member_a1, colleague=outsider
        )
    assert info.value.code == "out_of_scope"
    with pytest.raises(DomainError):
        services.pairing_create(
            actor=world.admin_a2,
            campaign=campaign,
            member=world.member_a1,
            colleague=world.masses_a1_b,
        )
    services.pairing_delete(actor=world.admin_a1, pairing=pairing)
    # After removal the colleague can be paired again.
    services.pairing_create(
        actor=world.admin_a1,
        campaign=campaign,
        member=world.lead_person_a1,
        colleague=world.masses_a1,
    )
