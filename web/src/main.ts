import "./style.css";
import "./debug";
import { App } from "./app";
import { markTouch } from "./ui/touch";

markTouch();

new App().start();
