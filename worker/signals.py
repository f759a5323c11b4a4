from django.dispatch import Signal

# Sent by ``manage.py run_worker`` in the process that runs tasks, before it takes the first
# one: apps queue the work that keeps itself going (the daily link check). Sent again when the
# worker gives up a task a dead worker left (worker/recovery.py), since such a task never queues
# its next run; receivers queue through worker.queue, which queues nothing already in hand. A
# receiver may return a line for the worker's log, or None.
worker_starting = Signal()
