// The Policies page.
import { h } from "../dom.js";

export default {
  title: "Policies",
  mount(root) {
    root.append(h("h1", {}, "Policies"));
  },
};
