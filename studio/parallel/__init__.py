"""Data-parallel training with torch's own engine: ``torch.distributed.run`` (torchrun) starts the
processes, DistributedDataParallel averages the gradients. The studio writes no launcher of its own.

* :mod:`studio.parallel.checks`: what a person can get wrong before anything starts (--nproc,
  --backend, --master-port, the device), each a TrainingError of one sentence.
* :mod:`studio.parallel.launch`: ``studio train RECIPE --nproc N``: torchrun through its API, and
  one sentence when a process dies.
* :mod:`studio.parallel.context`: inside a process torchrun started, its rank, device and process
  groups.
* :mod:`studio.parallel.trainer`: the Trainer of one process (its share of each batch, reduced
  epoch figures, decisions taken together).
* :mod:`studio.parallel.follow`: what the processes other than rank 0 run (they write nothing).

See docs/engine-api.md, "Data-parallel training".
"""
