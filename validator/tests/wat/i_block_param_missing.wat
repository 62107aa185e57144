(module (func (block (param i32) drop)))
