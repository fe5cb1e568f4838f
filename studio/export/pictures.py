"""Label pictures a person hands over as bytes (the Predict page's uploads) with an exported model and
onnxruntime alone: decoded and resized exactly as training did, one batch for all readable ones.

A file that is not a readable picture does not stop the others: it gets its one-sentence reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import onnxruntime as ort

from studio.data.images.decode import ImageSpec, decode_image
from studio.errors import DataError, ExportError, StudioError
from studio.export.predict import read_schema

MAX_PICTURES = 200  # one upload's pictures are one batch in memory


@dataclass
class PictureResult:
    """The pictures that could be read (in the order given) and the reason for each that could not."""

    names: list[str]
    probabilities: np.ndarray  # (n, K) float, one row per readable picture
    class_labels: list[str]
    failed: list[tuple[str, str]] = field(default_factory=list)  # (name, one sentence) per unreadable file
    kept: list[int] = field(default_factory=list)  # the position in the input of each readable picture

    def top(self, i: int, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable classes of picture ``i``, most probable first."""
        order = np.argsort(-self.probabilities[i], kind="stable")[: max(1, k)]
        return [(self.class_labels[j], float(self.probabilities[i, j])) for j in order]


def predict_pictures(session: ort.InferenceSession, pictures: Sequence[tuple[str, bytes]],
                     where: str = "the model") -> PictureResult:
    """Class probabilities for each ``(name, bytes)`` picture with a model whose only input is one picture.

    Raises:
        DataError: the model takes table columns too, or it is not a classifier, or too many pictures.
        ExportError: onnxruntime cannot run the file.
    """
    schema = read_schema(session, where)
    if len(schema.images) != 1 or schema.columns or schema.task != "classification":
        what = "is not a classifier" if schema.task != "classification" else "takes more than one picture"
        raise DataError(f"{where} {what}; pictures alone can be labelled only by a classifier of pictures")
    if len(pictures) > MAX_PICTURES:
        raise DataError(f"{len(pictures)} pictures were given, at most {MAX_PICTURES} are labelled at once; "
                        "give fewer")
    spec = schema.images[0]
    image_spec = ImageSpec(spec.channels, spec.height, spec.width, spec.fit,  # type: ignore[arg-type]
                           tuple(spec.background))  # type: ignore[arg-type]
    names: list[str] = []
    kept: list[int] = []
    decoded: list[np.ndarray] = []
    failed: list[tuple[str, str]] = []
    for position, (name, data) in enumerate(pictures):
        try:
            decoded.append(decode_image(data, image_spec, name))  # (C, H, W)
            names.append(name)
            kept.append(position)
        except StudioError as err:
            failed.append((name, str(err)))
    labels = list(schema.class_labels or [])
    if not decoded:
        return PictureResult([], np.zeros((0, len(labels))), labels, failed, kept)
    batch = np.ascontiguousarray(np.stack(decoded).transpose(0, 2, 3, 1))  # (N, H, W, C) uint8
    try:
        out = session.run([schema.output], {spec.name: batch})[0]
    except Exception as err:  # onnxruntime raises its own Fail/InvalidArgument types
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise ExportError(f"onnxruntime could not run {where} on these pictures ({first[:150]}); "
                          "export the run again") from None
    return PictureResult(names, np.asarray(out, dtype=np.float64), labels, failed, kept)
