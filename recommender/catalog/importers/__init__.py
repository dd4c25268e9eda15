"""Importers of official public data into catalog tables (``recommender import official``).

- :mod:`~recommender.catalog.importers.cn`: 职业教育专业目录 + 专业简介, 职业分类大典 2022, 专业-职业 tables,
  MOE college lists;
- :mod:`~recommender.catalog.importers.en`: CIP 2020, O*NET 29.3;
- :func:`import_official` runs them and returns tables for :func:`recommender.catalog.loader.write_catalog`.
"""

from recommender.catalog.importers.common import DATA_DIR_ENV, ImportNote, default_data_dir, resolve_data_dir
from recommender.catalog.importers.official import OfficialImport, import_official

__all__ = [
    "DATA_DIR_ENV",
    "ImportNote",
    "OfficialImport",
    "default_data_dir",
    "import_official",
    "resolve_data_dir",
]
