(module (func (@name "\ff") (i32.const 0xffff_ffff_ffff_ffff_f) (f32.const 0x1p99999999999) (v128.const i8x16 1) (@a (@b "\u{110000}") ;; 
 block $a end $b (;