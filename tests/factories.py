"""factory_boy factories. Kernel objects are created through their services, as the app creates them."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from stdnum.cn import uscc

from crowdsafe.org import services as org_services
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, OrganisationKind, Role
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class JurisdictionFactory(factory.django.DjangoModelFactory):
    """Pass ``parent`` and a ``code`` that extends it; level defaults from the parent."""

    class Meta:
        model = Jurisdiction

    # Six digits however many a worker has made (a department made one each through its SubFactory: past 10,000 in
    # one pytest worker the code grew a seventh digit and was refused — failing whichever test came then).
    code = factory.Sequence(lambda n: f"{990000 + n % 10000:06d}")
    name = factory.Sequence(lambda n: f"辖区{n}")
    level = JurisdictionLevel.CITY
    parent = None

    @classmethod
    def _create(cls, model_class, *, code, name, level, parent, **kwargs):
        existing = Jurisdiction.objects.filter(code=code).first()
        if existing:
            return existing
        return org_services.jurisdiction_create(code=code, name=name, level=level, parent=parent, actor=None)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = DepartmentKind.PUBLIC_SECURITY
    jurisdiction = factory.SubFactory(JurisdictionFactory)

    @classmethod
    def _create(cls, model_class, *, name, kind, jurisdiction, **kwargs):
        existing = Department.objects.filter(jurisdiction=jurisdiction, name=name).first()
        if existing:
            return existing
        return org_services.department_create(name=name, kind=kind, jurisdiction=jurisdiction, actor=None)


def credit_code_with_check(first_17: str) -> str:
    """A unified social credit code: ``first_17`` and its check character."""
    return first_17 + uscc.calc_check_digit(first_17)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganisationKind.ORGANIZER
    credit_code = factory.Sequence(lambda n: credit_code_with_check(f"91410500MA{n:07d}"))
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    safety_officer_name = "张安全"
    safety_officer_phone = "13800000000"

    @classmethod
    def _create(cls, model_class, **kwargs):
        return org_services.organisation_create(actor=None, **kwargs)


def member(user=None, *, role: str, department=None, jurisdiction=None, organisation=None) -> Membership:
    """Give a (new) user a membership and return it; ``membership.user`` is the user."""
    user = user or UserFactory()
    return org_services.membership_add(
        user=user,
        role=Role(role),
        department=department,
        jurisdiction=jurisdiction,
        organisation=organisation,
        actor=None,
    )
