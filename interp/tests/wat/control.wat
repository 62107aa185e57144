(module
  ;; multi-value block params/results
  (func (export "swap") (param i32 i32) (result i32 i32)
    local.get 1 local.get 0)
  (func (export "block_params") (param i32 i32) (result i32)
    local.get 0 local.get 1
    block (param i32 i32) (result i32)
      i32.sub
    end)
  (func (export "nested_br") (param i32) (result i32 i32)
    block (result i32 i32)
      i32.const 100
      block (param i32) (result i32 i32)
        i32.const 7
        local.get 0
        br_if 1          ;; leaves the outer block with (100, 7)
        drop drop
        i32.const 1 i32.const 2
      end
    end)
  (func (export "br_carry") (param i32) (result i32)
    (local i32)
    i32.const 11
    block (result i32)
      i32.const 99   ;; junk below the branch value: branch must move 5 down
      i32.const 5
      local.get 0
      br_if 0
      drop drop
      i32.const 6
    end
    i32.add)
  (func (export "br_table") (param i32) (result i32)
    block (result i32)
      block (result i32)
        block (result i32)
          i32.const 1000 ;; junk
          i32.const 10
          local.get 0
          br_table 0 1 2 3
        end
        i32.const 1 i32.add br 1
      end
      i32.const 2 i32.add
    end
    i32.const 3 i32.add)
  (func (export "br_table_dflt") (param i32) (result i32)
    block block block
      local.get 0 br_table 2 1 0
    end i32.const 0 return
    end i32.const 1 return
    end i32.const 2)
  (func (export "loop_sum") (param i32) (result i32)
    (local i32)
    loop
      local.get 0
      if
        local.get 1 local.get 0 i32.add local.set 1
        local.get 0 i32.const 1 i32.sub local.set 0
        br 1
      end
    end
    local.get 1)
  (func (export "loop_params") (param i32) (result i32)
    ;; loop with params: counts down n, accumulating on the stack
    i32.const 0
    local.get 0
    loop (param i32 i32) (result i32)
      ;; stack: acc n
      local.tee 0
      i32.eqz
      if (param i32) (result i32)
        return
      end
      local.get 0 i32.add
      local.get 0 i32.const 1 i32.sub
      br 0
    end)
  (func (export "if_no_else") (param i32) (result i32)
    i32.const 5
    local.get 0
    if (param i32) (result i32)
      i32.const 10 i32.mul
    end)
  (func (export "if_else") (param i32) (result i32 i64)
    local.get 0
    if (result i32 i64)
      i32.const 1 i64.const 2
    else
      i32.const 3 i64.const 4
    end)
  (func (export "dead_code") (param i32) (result i32)
    block (result i32)
      local.get 0
      br 0
      block
        i32.const 1 drop
        loop br 0 end
      end
      i32.const 77
      if (result i32) i32.const 1 else i32.const 2 end
    end)
  (func (export "unreach") unreachable)
  (func (export "select") (param i32) (result i64 f32)
    i64.const 1 i64.const 2 local.get 0 select
    f32.const 1.5 f32.const -2.5 local.get 0 select (result f32))
  (func (export "return_mid") (param i32) (result i32)
    block
      local.get 0 i32.eqz br_if 0
      i32.const 42 return
    end
    i32.const 24)
)
