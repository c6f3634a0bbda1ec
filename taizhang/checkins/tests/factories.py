import datetime as dt

import factory

from taizhang.campaigns.tests.factories import CampaignFactory
from taizhang.checkins.models import Period


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"周期{n}")
    start_date = dt.date(2020, 1, 1)
    end_date = dt.date(2020, 3, 31)
    deadline = dt.date(2020, 4, 10)
