;; A minimum of 20 pages (1.25 MiB): over --max-memory 1MiB.
(module
  (memory (export "heap") 20))
