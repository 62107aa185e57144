// The hello of issue 18's JavaScript components: wasi:cli/run printing one line.
export const run = {
  run() {
    console.log("Hello from JavaScript!");
  },
};
