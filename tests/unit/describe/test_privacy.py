"""What leaves the box: the images a local server received carry the camera's privacy mask
(blank pixels) and blurred faces, and no image file is written anywhere."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest

from storepixel.config.describe import DescribeConfig
from storepixel.describe.chunker import PeopleChunker
from storepixel.describe.faces import FaceBlur
from storepixel.describe.service import CameraContext, Describer
from storepixel.pipeline.privacy import PrivacyMask
from storepixel.store import descriptions as db
from storepixel.store import open_store
from storepixel.types import Tracks
from tests.fixtures.footage import SAMPLES, SHARED_EVAL
from tests.fixtures.vlm_server import VlmServer

pytest.importorskip("google.genai")
pytest.importorskip("openai")

# Left third of the picture masked; the faces in messi5.jpg are in the middle.
MASK = [[(0.0, 0.0), (0.3, 0.0), (0.3, 1.0), (0.0, 1.0)]]


def face_pictures() -> list[Path]:
    """messi5.jpg (Debian opencv-doc, fetched by the set-up), plus the shared face stills."""
    found = [SAMPLES / "messi5.jpg"] if (SAMPLES / "messi5.jpg").exists() else []
    shared = SHARED_EVAL / "stills" / "faces"
    found += sorted(p for p in shared.glob("*.jpg") if "partial" not in p.name)[:2]
    return found


@pytest.fixture()
def server() -> Iterator[VlmServer]:
    srv = VlmServer().start()
    yield srv
    srv.stop()


def sharpness(image: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("provider", ["gemini", "openai"])
@pytest.mark.parametrize("picture", face_pictures(), ids=lambda p: p.name)
def test_sent_images_are_masked_and_faces_blurred(
    server: VlmServer,
    provider: str,
    picture: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check_what_leaves(server, provider, picture, tmp_path, monkeypatch)


@pytest.mark.slow
@pytest.mark.skipif(not (SAMPLES / "messi5.jpg").exists(), reason="messi5.jpg not fetched")
def test_a_gemini_clip_is_masked_and_blurred_frame_by_frame(
    server: VlmServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_what_leaves(server, "gemini-clip", SAMPLES / "messi5.jpg", tmp_path, monkeypatch)


def check_what_leaves(
    server: VlmServer,
    provider: str,
    picture: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # anything written relative to the working folder lands here
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # and anything temporary
    monkeypatch.setenv("GEMINI_API_KEY", "k")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    image = cv2.imread(str(picture))
    scale = min(1.0, 1024 / max(image.shape[:2]))
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = image.shape[:2]
    original_faces = FaceBlur().faces(image)
    assert len(original_faces), f"no face found in {picture.name}: not a useful test picture"
    clip = provider == "gemini-clip"  # one inline H.264 clip: its decoded frames are checked
    provider = "gemini" if clip else provider
    url = server.gemini_url if provider == "gemini" else server.openai_url
    cfg = DescribeConfig.model_validate(
        {
            "provider": provider,
            "base_url": url,
            "image_size": max(h, w),
            "send_as": "clip" if clip else "stills",
        }
    )
    mask = PrivacyMask(MASK)
    chunker = PeopleChunker("cam1", prepare=mask.apply, keep_size=max(h, w))
    person = Tracks(
        np.array([1]),
        np.array([[w * 0.85, h * 0.85, w * 0.99, h * 0.99]]),
        np.array([0.9]),
        np.array([1]),
    )
    chunks = []
    for i in range(50):  # 5 s at 10 fps, someone in view throughout
        chunks += chunker.update(1000.0 + i / 10, image, person)
    chunks += chunker.finish()
    before = files_under(tmp_path)
    with open_store("sqlite://") as store:
        describer = Describer(store, "demo", ZoneInfo("UTC"))
        for c in chunks:
            describer.submit(c, CameraContext("cam1", cfg))
        assert describer.wait_idle(30)
        describer.close(timeout=0)
        assert [r["status"] for r in db.list_chunks(store)] == ["done"]
    assert files_under(tmp_path) == before  # no frame, no chunk, nothing at all on disk
    [request] = server.received
    assert len(request.images) >= 3 and (request.video_seconds > 4.5) == clip
    for sent in request.images:
        assert sent.shape[:2] == ((h // 2 * 2, w // 2 * 2) if clip else (h, w))
        # Below the clock label, clear of the mask's edge (JPEG rings there): blank.
        masked = sent[int(h * 0.05) :, : int(w * 0.3) - 8]
        assert masked.max() <= 12
        for x, y, fw, fh in original_faces:
            x0, y0, x1, y1 = int(x), int(y), int(x + fw), int(y + fh)
            if x0 < w * 0.3:
                continue  # inside the mask: blank already
            face_sent, face_orig = sent[y0:y1, x0:x1], image[y0:y1, x0:x1]
            # H.264's block edges add some texture back to a tiny (17×20 px) blurred face;
            # an unblurred face keeps most of its sharpness through either codec.
            assert sharpness(face_sent) < (0.35 if clip else 0.2) * sharpness(face_orig)
        visible = [f for f in original_faces if f[0] >= w * 0.3]
        assert len(FaceBlur().faces(sent)) < max(1, len(visible)) or not visible


def test_blurring_can_be_turned_off_and_media_needs_a_retention() -> None:
    assert DescribeConfig(provider="gemini", blur_faces=False).blur_faces is False
    with pytest.raises(ValueError, match="retention_days"):
        DescribeConfig.model_validate({"provider": "gemini", "media": {"store": True}})
