"""An enterprise's training design through the library (``recommender.enterprise.design_training``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.db.models import EnterpriseRow
from api.schemas.training import TrainingOptions
from api.services.enterprises import list_members
from api.services.workers import to_domain
from recommender.catalog.catalog import Catalog
from recommender.catalog.model import Enterprise


def design_enterprise_training(
    session: Session,
    enterprise: EnterpriseRow,
    catalog: Catalog,
    matcher,
    options: TrainingOptions,
    *,
    pseudonym_key: bytes,
    catalog_version: str,
) -> dict:
    """Cohorts and classes for the enterprise's stored roster, linked with the serving engine's matcher.

    Employees are pseudonymised with a keyed HMAC of their ``member_ref`` (stable across calls). The catalog
    is named by its version, not by its path on the server.

    Raises
    ------
    UserError
        An empty roster or an unknown target role (the library's message).
    """
    from recommender.enterprise import design_training  # scikit-learn: loaded on first use only
    from recommender.enterprise.linking import RosterLinker

    roster = tuple(to_domain(m) for m in list_members(session, enterprise.enterprise_id))
    staff = Enterprise(
        enterprise.enterprise_id, enterprise.name, enterprise.city, enterprise.industry, roster
    )
    parameters = options.model_dump(exclude={"target_role"}, exclude_none=True)
    design = design_training(
        staff,
        catalog,
        options.target_role or None,
        linker=RosterLinker(catalog, linker=matcher),
        key=pseudonym_key,
        **parameters,
    )
    body = design.to_dict()
    body["settings"] = {**body["settings"], "catalog": catalog_version}
    return body
