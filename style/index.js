import 'uplot/dist/uPlot.min.css';
import './base.css';
import './jobs.css';
import './submit.css';
import './detail.css';
import './trials.css';
import './serving.css';
import './deployment.css';
