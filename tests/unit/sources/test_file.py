import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import storepixel.sources.file as file_source
from storepixel.errors import SourceError
from storepixel.sources import open_source


def test_decodes_with_container_timestamps(vtest_path: Path) -> None:
    source = open_source(vtest_path, camera_id="c1", anchor=1_000.0)
    assert source.fps == pytest.approx(10.0)
    assert (source.width, source.height) == (768, 576)
    frames = []
    for frame in source:
        frames.append(frame)
        if len(frames) == 12:
            break
    assert [f.index for f in frames] == list(range(12))
    assert frames[11].offset_s == pytest.approx(1.1)
    assert frames[11].timestamp == pytest.approx(1_001.1)
    assert frames[0].image.shape == (576, 768, 3)
    assert frames[0].camera_id == "c1"


def test_analysis_rate_samples_by_time(vtest_path: Path) -> None:
    source = open_source(vtest_path, analysis_fps=2.5, anchor=0.0)
    first = [f for _, f in zip(range(5), source, strict=False)]
    assert [f.index for f in first] == [0, 4, 8, 12, 16]
    assert [f.offset_s for f in first] == pytest.approx([0.0, 0.4, 0.8, 1.2, 1.6])


def test_anchor_defaults_to_file_time(vtest_path: Path) -> None:
    source = open_source(vtest_path)
    assert source.anchor_origin in {"container creation time", "file modification time"}
    source.close()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="video not found"):
        open_source(tmp_path / "nope.mp4")


def test_text_file_named_mp4(tmp_path: Path) -> None:
    fake = tmp_path / "clip.mp4"
    fake.write_text("this is not a video\n")
    with pytest.raises(SourceError, match="not a readable video") as info:
        open_source(fake)
    assert "\n" not in str(info.value)


def test_truncated_video_keeps_decoded_frames(vtest_path: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.avi"
    cut.write_bytes(vtest_path.read_bytes()[:3_000_000])
    source = open_source(cut)
    frames = list(source)
    assert 100 < len(frames) < 795
    assert source.truncated
    assert [f.index for f in frames] == list(range(len(frames)))


def test_image_folder(shared_eval: Path) -> None:
    source = open_source(shared_eval / "tud-campus" / "img1", fps=25, analysis_fps=5)
    frames = list(source)
    assert len(frames) == 15
    assert frames[1].index == 5
    assert frames[1].offset_s == pytest.approx(0.2)


def test_bare_mpeg1_stream(tmp_path: Path) -> None:
    """A bare MPEG-1 video stream (.mpg straight from an old recorder, no container) decodes."""
    import av
    import numpy as np

    path = tmp_path / "cctv.mpg"
    with av.open(str(path), "w", format="mpeg1video") as out:
        stream = out.add_stream("mpeg1video", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for k in range(10):
            img = np.full((48, 64, 3), 20 * k, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    assert av.open(str(path)).format.name == "mpegvideo"
    frames = list(open_source(path, anchor=0.0))
    assert len(frames) == 10 and frames[0].image.shape == (48, 64, 3)


def test_frames_read_ahead_are_the_frames_decoded_in_turn(
    vtest_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead = [(f.index, f.offset_s, f.image.sum()) for f in open_source(vtest_path, analysis_fps=2)]
    monkeypatch.setattr(file_source, "READ_AHEAD", 0)
    in_turn = [
        (f.index, f.offset_s, f.image.sum()) for f in open_source(vtest_path, analysis_fps=2)
    ]
    assert len(in_turn) > 100
    assert ahead == in_turn


def test_stopping_early_stops_the_decoder_thread(vtest_path: Path) -> None:
    frames = iter(open_source(vtest_path))
    assert [next(frames).index for _ in range(3)] == [0, 1, 2]
    assert any(t.name == "storepixel-decode" for t in threading.enumerate())
    frames.close()  # what dropping a half-read iterator does
    assert not any(t.name == "storepixel-decode" for t in threading.enumerate())


def test_a_failure_while_reading_ahead_reaches_the_reader() -> None:
    def frames() -> Iterator[int]:
        yield 1
        raise ValueError("broken")

    got = []
    with pytest.raises(ValueError, match="broken"):
        got.extend(file_source._read_ahead(frames(), 2))  # type: ignore[arg-type]
    assert got == [1]
