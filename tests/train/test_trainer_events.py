"""The exact event sequence of a two-epoch fit and of a stop; FitResult and event payloads."""

from __future__ import annotations

import json
import math

from studio.train.events import BatchEnd, EpochEnd, Finished, Started
from studio.train.trainer import Trainer
from tests.train.conftest import N_CLASSES, Recorder, StopAt, make_recipe, tiny_model


def _fit(data, control=None, **recipe):
    rec = Recorder()
    trainer = Trainer(tiny_model(), data, make_recipe(**recipe), "classification", N_CLASSES,
                      callbacks=[rec], control=control, batch_event_interval=0.0)
    return trainer, trainer.fit(), rec


def test_two_epoch_fit_emits_started_batches_epoch_batches_epoch_finished(cls_data) -> None:
    trainer, result, rec = _fit(cls_data)
    batches = 96 // 16
    assert rec.names == (["started"] + ["batch"] * batches + ["epoch"]) + (["batch"] * batches + ["epoch"]) + [
        "finished"
    ]
    started = rec.events[0]
    assert started == Started(2, batches, 96, 32, trainer.device_name, "fp32")
    batch_events = [e for e in rec.events if isinstance(e, BatchEnd)]
    assert [(e.epoch, e.batch) for e in batch_events] == [(ep, b) for ep in (1, 2) for b in range(1, 7)]
    assert all(e.batches == batches and e.loss > 0 and e.samples_per_sec > 0 for e in batch_events)
    epochs = [e for e in rec.events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [1, 2]
    assert all(e.metric_name == "accuracy" and 0 <= e.val_metric <= 1 and e.lr == 1e-3 for e in epochs)
    finished = rec.events[-1]
    assert isinstance(finished, Finished) and finished.status == "completed" and finished.epochs_run == 2
    assert result.status == "completed" and result.history == epochs and result.epochs_run == 2
    assert result.best_epoch == finished.best_epoch in (1, 2)


def test_a_stop_ends_through_finished_without_a_partial_epoch(cls_data) -> None:
    # 6 batches per epoch: the 9th checkpoint is batch 3 of epoch 2
    _, result, rec = _fit(cls_data, control=StopAt(9))
    assert rec.names == ["started"] + ["batch"] * 6 + ["epoch"] + ["batch"] * 2 + ["finished"]
    assert result.status == "stopped" and result.epochs_run == 1 and result.best_epoch == 1
    assert rec.events[-1].status == "stopped"
    assert "epoch 2" in result.message


def test_a_stop_before_the_first_batch_still_emits_started_and_finished(cls_data) -> None:
    _, result, rec = _fit(cls_data, control=StopAt(1))
    assert rec.names == ["started", "finished"]
    assert result.status == "stopped" and result.epochs_run == 0 and result.best_epoch is None


def test_batch_events_are_throttled(cls_data) -> None:
    rec = Recorder()
    Trainer(tiny_model(), cls_data, make_recipe(), "classification", N_CLASSES, callbacks=[rec],
            batch_event_interval=60.0).fit()
    assert rec.names.count("batch") == 0  # 2 tiny epochs take far less than a minute
    assert rec.names.count("epoch") == 2


def test_every_event_is_plain_json_with_its_name(cls_data) -> None:
    _, _, rec = _fit(cls_data)
    dicts = [e.to_dict() for e in rec.events]
    assert [d["event"] for d in dicts] == rec.names
    text = json.dumps(dicts, allow_nan=False)
    assert json.loads(text)[-1]["status"] == "completed"


def test_without_validation_rows_the_train_loss_decides_the_best_epoch(cls_data) -> None:
    data = type(cls_data)(cls_data.x_train, cls_data.y_train, cls_data.x_train[:0], cls_data.y_train[:0])
    _, result, rec = _fit(data, training={"epochs": 3})
    assert all(e.val_loss is None and e.val_metric is None for e in result.history)
    losses = [e.train_loss for e in result.history]
    assert result.best_epoch == 1 + min(range(3), key=losses.__getitem__)
    assert rec.events[0].n_val == 0 and all(math.isfinite(v) for v in losses)


def test_the_progress_bar_counts_epochs(cls_data) -> None:
    import io

    from studio.train.callbacks import ProgressBar

    out = io.StringIO()
    Trainer(tiny_model(), cls_data, make_recipe(), "classification", N_CLASSES,
            callbacks=[ProgressBar(file=out, ascii=True)]).fit()
    assert "2/2" in out.getvalue() and "loss" in out.getvalue()


def test_early_stopping_ends_as_early_stopped_in_a_job(cls_data) -> None:
    from studio.train.callbacks import Callback
    from studio.train.job import Job

    class StopAfterFirst(Callback):
        def on_event(self, event) -> None:
            if event.name == "epoch":
                self.stop_reason = "enough"

    def target(control):
        return Trainer(tiny_model(), cls_data, make_recipe(training={"epochs": 5}), "classification",
                       N_CLASSES, callbacks=[StopAfterFirst(), control], control=control).fit()

    job = Job(target)
    job.start()
    assert job.wait(30)
    assert job.status == "early_stopped" and job.result.epochs_run == 1 and job.result.message.startswith("enough")
