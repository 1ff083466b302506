from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiryConfig(AppConfig):
    name = "veracity.inquiry"
    verbose_name = _("Policy inquiries")

    def ready(self) -> None:
        # a legal basis's approvals hooks and notices register themselves
        from veracity.inquiry import third_parties  # noqa: F401

        # destruction (D4.25) empties the blind index of a destroyed customer's inquiries and
        # the third party's ID of the bases the customer gave; the counts stay
        from veracity.inquiry.models import Inquiry, ThirdPartyBasis
        from veracity.retention.destruction import Erasure, personal_columns, register_erasures

        def erasures() -> list[Erasure]:
            return [
                Erasure(Inquiry, "customer_id", False, personal_columns(Inquiry), history=False),
                Erasure(
                    ThirdPartyBasis,
                    "given_by_id",
                    False,
                    personal_columns(ThirdPartyBasis, ["party_name"]),
                    history=False,
                ),
            ]

        register_erasures(erasures)
