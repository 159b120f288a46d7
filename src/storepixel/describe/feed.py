"""One camera's path from the counting pipeline to the describer: each settled frame goes to
the people-chunker (which keeps masked copies of a few); each chunk it closes is submitted.

Cheap on the counting thread by design: the mask is applied only to the few frames kept (at
most three a second), and submitting is a queue put.
"""

from __future__ import annotations

from storepixel.config.describe import DescribeConfig
from storepixel.config.site import CameraConfig, SiteConfig
from storepixel.describe.chunker import Chunk, PeopleChunker
from storepixel.describe.service import CameraContext, Describer
from storepixel.pipeline.camera import FrameResult
from storepixel.pipeline.factory import camera_mask


def scope_names(camera: CameraConfig) -> list[str]:
    """Names of the zones and lines in view, for the prompt."""
    named = [(z.name or z.id, z.kind) for z in camera.zones]
    names = [f"{n} ({kind})" if kind != "area" else n for n, kind in named]
    return names + [f"{line.name or line.id} (line)" for line in camera.lines]


def camera_context(
    site: SiteConfig, camera_id: str, run_anchor: float = 0.0, source: str | None = None
) -> CameraContext:
    """What the describer needs to know about one of ``site``'s cameras."""
    camera = site.camera(camera_id)
    return CameraContext(
        camera_id, site.describe_for(camera_id), scope_names(camera), run_anchor, source
    )


class DescribeFeed:
    def __init__(
        self,
        describer: Describer,
        camera: CameraConfig,
        config: DescribeConfig,
        *,
        run_anchor: float | None = None,
        source: str | None = None,
    ) -> None:
        self.describer = describer
        mask = camera_mask(camera)
        self.chunker = PeopleChunker(
            camera.id,
            max_chunk_s=config.max_chunk_s,
            pad_s=config.pad_s,
            merge_gap_s=config.merge_gap_s,
            overlap_s=config.overlap_s,
            max_sent_ratio=config.max_sent_ratio,
            prepare=mask.apply if mask else None,
        )
        # The analytics engine seeds track pseudonyms with the run's anchor; a file's is its first
        # frame's capture time less its offset, so it can be read from the frames themselves.
        self._anchor_known = run_anchor is not None
        self.context = CameraContext(
            camera.id, config, scope_names(camera), run_anchor or 0.0, source
        )
        self.chunks: list[Chunk] = []  # closed so far (times only are of use; frames are dropped)

    def observe(self, results: list[FrameResult]) -> None:
        for result in results:
            if not self._anchor_known:
                self.context.run_anchor = result.frame.timestamp - result.frame.offset_s
                self._anchor_known = True
            for chunk in self.chunker.update(
                result.frame.timestamp, result.frame.image, result.tracks
            ):
                self._submit(chunk)

    def finish(self) -> None:
        for chunk in self.chunker.finish():
            self._submit(chunk)

    def _submit(self, chunk: Chunk) -> None:
        self.describer.submit(chunk, self.context)
        self.chunks.append(
            Chunk(chunk.camera_id, chunk.start, chunk.end, [], set(chunk.people), chunk.part)
        )
