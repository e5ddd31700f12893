import "./style.css";
import "./debug";
import { App } from "./app";

new App().start();
