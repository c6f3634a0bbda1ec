import pytest

from taizhang.assessment import services
from taizhang.assessment.models import CriterionKind, Scheme
from taizhang.assessment.services import (
    BandSpec,
    CriterionSpec,
    DimensionSpec,
    SchemeSpec,
    VetoSpec,
)
from taizhang.core.exceptions import DomainError


def _spec(**overrides) -> SchemeSpec:
    base = services.default_scheme_spec()
    return SchemeSpec(**{**base.__dict__, **overrides})


def test_default_scheme_is_valid_and_versioned(world):
    first = services.scheme_create(
        actor=world.admin_company_a, campaign=world.campaign, spec=_spec()
    )
    assert (first.version, first.is_active) == (1, True)
    assert [d.weight for d in first.dimensions.all()] == [50, 30, 20]
    copy = services.scheme_copy(actor=world.admin_company_a, source=first, campaign=world.campaign)
    first.refresh_from_db()
    assert (copy.version, copy.is_active, first.is_active) == (2, True, False)
    assert copy.based_on == first
    assert [c.name for c in copy.dimensions.first().criteria.all()] == [
        c.name for c in first.dimensions.first().criteria.all()
    ]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {
                "dimensions": [
                    DimensionSpec(
                        "A", "60", [CriterionSpec("a", CriterionKind.GOAL_ATTAINMENT, "60")]
                    )
                ]
            },
            "weights_sum",
        ),
        (
            {
                "dimensions": [
                    DimensionSpec(
                        "A", "100", [CriterionSpec("a", CriterionKind.GOAL_ATTAINMENT, "90")]
                    )
                ]
            },
            "criteria_sum",
        ),
        (
            {"dimensions": [DimensionSpec("A", "100", [CriterionSpec("a", "guesswork", "100")])]},
            "criterion_source",
        ),
        ({"bands": [BandSpec("优秀", "85", "100"), BandSpec("达标", "60", "90")]}, "bands_overlap"),
        ({"bands": [BandSpec("优秀", "90", "80")]}, "band_order"),
        ({"vetoes": [VetoSpec("事故", "不存在的等次")]}, "invalid_choice"),
        ({"regular_weight": "20", "final_weight": "90"}, "weights_sum"),
    ],
)
def test_invalid_schemes_are_refused_and_nothing_saved(world, overrides, code):
    with pytest.raises(DomainError) as info:
        services.scheme_create(
            actor=world.admin_company_a, campaign=world.campaign, spec=_spec(**overrides)
        )
    assert info.value.code == code
    assert not Scheme.all_objects.exists()


def test_only_the_campaign_owner_configures(world):
    with pytest.raises(DomainError) as info:
        services.scheme_create(actor=world.admin_a1, campaign=world.campaign, spec=_spec())
    assert info.value.code == "forbidden"
