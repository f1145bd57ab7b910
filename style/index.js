import './base.css';
import './chart.css';
import './cells.css';
import './variables.css';
