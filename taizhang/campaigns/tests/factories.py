import datetime as dt
from decimal import Decimal

import factory

from taizhang.campaigns.models import (
    DEFAULT_FOCUS_AREAS,
    DEFAULT_PROJECT_TYPES,
    Campaign,
    FocusArea,
    GoalIndicator,
    Measure,
    Pairing,
    Participant,
    Project,
    ProjectStatus,
    ProjectType,
)
from taizhang.orgs.tests.factories import OrgFactory, PersonFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    org = factory.SubFactory(OrgFactory)
    name = factory.Sequence(lambda n: f"2020年“两带两创”活动{n}")
    year = 2020
    start_date = dt.date(2020, 1, 1)
    end_date = dt.date(2020, 12, 31)

    @factory.post_generation
    def defaults(obj, create, extracted, **kwargs):  # noqa: N805
        """Every campaign gets the default project types and focus areas, as the service does."""
        if not create:
            return
        for order, (name, short) in enumerate(DEFAULT_PROJECT_TYPES):
            ProjectType.objects.create(
                campaign=obj, name=name, short_name=short, order=order, is_benefit="创效" in name
            )
        for order, name in enumerate(DEFAULT_FOCUS_AREAS):
            FocusArea.objects.create(campaign=obj, name=name, order=order)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    campaign = factory.SubFactory(CampaignFactory)
    org = factory.LazyAttribute(lambda o: o.campaign.org)
    code = factory.Sequence(lambda n: f"P{n:04d}")
    title = factory.Sequence(lambda n: f"项目{n}")
    project_type = factory.LazyAttribute(lambda o: o.campaign.project_types.first())
    focus_area = factory.LazyAttribute(lambda o: o.campaign.focus_areas.first())
    lead = factory.SubFactory(PersonFactory, org=factory.SelfAttribute("..org"))
    start_date = dt.date(2020, 1, 1)
    end_date = dt.date(2020, 12, 31)
    status = ProjectStatus.DRAFT


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalIndicator

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"指标{n}")
    unit = "万元"
    baseline = Decimal("0")
    target = Decimal("100")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    project = factory.SubFactory(ProjectFactory)
    description = factory.Sequence(lambda n: f"措施{n}")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    project = factory.SubFactory(ProjectFactory)
    person = factory.SubFactory(PersonFactory, org=factory.SelfAttribute("..project.org"))


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    campaign = factory.SubFactory(CampaignFactory)
    member = factory.SubFactory(PersonFactory, org=factory.SelfAttribute("..campaign.org"))
    colleague = factory.SubFactory(
        PersonFactory, org=factory.SelfAttribute("..campaign.org"), political_status="masses"
    )
