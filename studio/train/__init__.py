"""Training: optimizers, schedules, losses, regularization, the Trainer and the Job.

The Trainer is a fast loop over in-memory tensors that reports through events; the Job runs any
target (usually a Trainer's fit) in a background thread with pause, resume, stop and snapshots.
"""

from studio.train.callbacks import Callback, EarlyStopping, History, NanGuard, ProgressBar, Relay
from studio.train.device import describe_device, resolve_device, resolve_precision
from studio.train.evaluate import predict
from studio.train.events import BatchEnd, EpochEnd, Finished, Started
from studio.train.job import Job, JobControl, JobSnapshot
from studio.train.metrics import classification_metrics, regression_metrics
from studio.train.optimizers import OPTIMIZERS, build_optimizer
from studio.train.schedules import SCHEDULES, build_schedule, lr_curve
from studio.train.tensors import TensorData
from studio.train.trainer import Control, FitResult, Trainer

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "BatchEnd",
    "Callback",
    "Control",
    "EarlyStopping",
    "EpochEnd",
    "Finished",
    "FitResult",
    "History",
    "Job",
    "JobControl",
    "JobSnapshot",
    "NanGuard",
    "ProgressBar",
    "Relay",
    "Started",
    "TensorData",
    "Trainer",
    "build_optimizer",
    "build_schedule",
    "classification_metrics",
    "describe_device",
    "lr_curve",
    "predict",
    "regression_metrics",
    "resolve_device",
    "resolve_precision",
]
