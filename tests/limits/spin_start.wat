;; An infinite loop in the start function: the timeout covers instantiation too.
(module
  (func $spin (loop $l (br $l)))
  (start $spin))
