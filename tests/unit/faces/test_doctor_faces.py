"""``storepixel doctor`` checks the opt-in face features only where a site turns them on: a
missing visitor key is a failed check with the command that makes one, not a surprise at ``run``."""

from __future__ import annotations

from pathlib import Path

from storepixel.config.site import SiteConfig
from storepixel.faces.keys import create_key
from storepixel.pipeline.doctor import check_faces


def _site(faces: dict[str, bool]) -> SiteConfig:
    return SiteConfig.model_validate(
        {"site": {"id": "shop"}, "cameras": [{"id": "door"}], "faces": faces}
    )


def test_faces_off_means_no_check_and_no_model(tmp_path: Path) -> None:
    assert check_faces(_site({}), tmp_path / "site.yaml") == []


def test_missing_visitor_key_fails_until_it_is_made(tmp_path: Path) -> None:
    site = _site({"visitors": True})
    (check,) = check_faces(site, tmp_path / "site.yaml")
    assert check.status == "fail" and "storepixel visitors keygen" in check.detail
    create_key(tmp_path / "shop.visitors.key")
    (check,) = check_faces(site, tmp_path / "site.yaml")
    assert check.status == "ok" and check.source.endswith("shop.visitors.key"), check


def test_attributes_models_load(tmp_path: Path) -> None:
    (check,) = check_faces(_site({"attributes": True}), tmp_path / "site.yaml")
    assert (check.subject, check.status) == ("faces.attributes", "ok")
