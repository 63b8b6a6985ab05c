// The Servers page.
import { h } from "../dom.js";

export default {
  title: "Servers",
  mount(root) {
    root.append(h("h1", {}, "Servers"));
  },
};
