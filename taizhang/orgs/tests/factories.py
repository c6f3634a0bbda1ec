import factory

from taizhang.orgs.models import Membership, Org, OrgKind, Person, PoliticalStatus, Role
from taizhang.orgs.services import pinyin_key
from taizhang.users.tests.factories import UserFactory


class OrgFactory(factory.django.DjangoModelFactory):
    """Builds through treebeard's add_root/add_child; pass parent= for a child."""

    class Meta:
        model = Org

    name = factory.Sequence(lambda n: f"组织{n}")
    kind = OrgKind.BRANCH
    name_pinyin = factory.LazyAttribute(lambda o: pinyin_key(o.name))

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        node = model_class(**kwargs)
        if parent is None:
            return model_class.objects.add_root(instance=node)
        return model_class.objects.add_child(model_class.objects.get(pk=parent.pk), instance=node)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    name_pinyin = factory.LazyAttribute(lambda o: pinyin_key(o.name))
    staff_no = factory.Sequence(lambda n: f"S{n:06d}")
    org = factory.SubFactory(OrgFactory)
    political_status = PoliticalStatus.MEMBER
    position = "职员"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    org = factory.SubFactory(OrgFactory)
    role = Role.ORG_ADMIN
