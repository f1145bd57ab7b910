import './base.css';
import './chart.css';
import './cells.css';
